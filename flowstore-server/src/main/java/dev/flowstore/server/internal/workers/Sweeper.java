package dev.flowstore.server.internal.workers;

import dev.flowstore.Collection;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Outbox;
import dev.flowstore.Queue;
import dev.flowstore.Records;
import dev.flowstore.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TTL sweeper and lease reaper: every {@code interval}, for every tenant ({@link
 * Flowstore#tenants()}: the SQL store's list, where a queue backend outside the database (Redis)
 * registers its tenants too, so a tenant that only uses that queue is swept), marks what has run
 * out of time as expired (sessions past their TTL, waiting resume handles past their {@code
 * expires_at}), ends expired queue leases ({@link Queue#releaseExpired}), finishes interrupted DLQ
 * transitions ({@link Queue#recoverDlq}), deletes expired idempotency keys and, for retention,
 * deletes jobs that succeeded longer than JOB_RETENTION_HOURS ago ({@link Queue#purgeSucceeded})
 * and outbox messages published longer than OUTBOX_RETENTION_HOURS ago ({@link
 * Outbox#purgePublished}), and applies each collection's record retention ({@link
 * Records#applyRetention}: records deleted or archived N days after their creation, last change or
 * a timestamp field, as the collection declares). Retention deletes in batches of {@link
 * #PURGE_BATCH}, at most {@link #PURGE_BATCHES_PER_ROUND} batches per tenant and kind (jobs,
 * outbox, each collection) in one round, so one tenant's backlog cannot hold up the others; the
 * rest goes in the following rounds. Time comes from the injected {@link Clock} (the queue's from
 * the store's clock), so tests call {@link #sweep} with a clock of their choosing instead of
 * waiting. A failure is logged and retried on the next round; it never stops the worker.
 */
public final class Sweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
  static final int BATCH = 500;

  /** Rows one retention call deletes. */
  static final int PURGE_BATCH = 1000;

  /** Retention calls per tenant and kind (jobs, outbox) in one round. */
  static final int PURGE_BATCHES_PER_ROUND = 10;

  private final Flowstore flowstore;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final Duration jobRetention;
  private final Duration outboxRetention;
  private final int purgeBatch;
  private final int purgeBatchesPerRound;

  private Sweeper(
      Flowstore flowstore,
      Clock clock,
      ScheduledExecutorService timer,
      Duration jobRetention,
      Duration outboxRetention,
      int purgeBatch,
      int purgeBatchesPerRound) {
    this.flowstore = flowstore;
    this.clock = clock;
    this.timer = timer;
    this.jobRetention = jobRetention;
    this.outboxRetention = outboxRetention;
    this.purgeBatch = purgeBatch;
    this.purgeBatchesPerRound = purgeBatchesPerRound;
  }

  /**
   * Starts sweeping every {@code interval}, with the retention of the store's configuration
   * (JOB_RETENTION_HOURS, OUTBOX_RETENTION_HOURS).
   */
  public static Sweeper start(Flowstore flowstore, Clock clock, Duration interval) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("flowstore-sweeper").factory());
    FlowstoreConfig config = flowstore.config();
    Sweeper sweeper =
        new Sweeper(
            flowstore,
            clock,
            timer,
            config.jobRetention(),
            config.outboxRetention(),
            PURGE_BATCH,
            PURGE_BATCHES_PER_ROUND);
    timer.scheduleWithFixedDelay(
        sweeper::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return sweeper;
  }

  /**
   * A sweeper without a timer, for one-off sweeps (tests, the CLI), with the retention of the
   * store's configuration.
   */
  public static Sweeper manual(Flowstore flowstore, Clock clock) {
    FlowstoreConfig config = flowstore.config();
    return manual(
        flowstore,
        clock,
        config.jobRetention(),
        config.outboxRetention(),
        PURGE_BATCH,
        PURGE_BATCHES_PER_ROUND);
  }

  /**
   * A sweeper without a timer with its own retention (null keeps forever) and retention batch
   * sizes.
   */
  static Sweeper manual(
      Flowstore flowstore,
      Clock clock,
      Duration jobRetention,
      Duration outboxRetention,
      int purgeBatch,
      int purgeBatchesPerRound) {
    return new Sweeper(
        flowstore, clock, null, jobRetention, outboxRetention, purgeBatch, purgeBatchesPerRound);
  }

  private void sweepQuietly() {
    try {
      // why: sweeping writes (expiries, releases, purges): it pauses while writes are frozen
      if (flowstore.maintenance().state().on()) return;
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("sweep failed, will retry: {}", e.toString());
    }
  }

  /**
   * One round over every tenant; returns how many things it changed (expired, released, finished or
   * deleted).
   */
  public int sweep() {
    Instant now = clock.instant();
    int sessions = 0;
    int handles = 0;
    int leases = 0;
    int deadLettered = 0;
    int keys = 0;
    int jobs = 0;
    int messages = 0;
    int records = 0;
    List<String> retained =
        flowstore.collections().list().stream()
            .filter(c -> c.spec().retention() != null)
            .map(Collection::name)
            .toList();
    Instant jobsBefore = jobRetention == null ? null : now.minus(jobRetention);
    Instant messagesBefore = outboxRetention == null ? null : now.minus(outboxRetention);
    for (TenantId tenant : flowstore.tenants()) {
      int n;
      do {
        n = flowstore.sessions(tenant).expireDue(now, BATCH);
        sessions += n;
      } while (n == BATCH);
      handles += flowstore.resumeHandles(tenant).expire(now);
      Queue queue = flowstore.queue(tenant);
      leases += queue.releaseExpired();
      deadLettered += queue.recoverDlq();
      keys += flowstore.idempotencyKeys(tenant).purgeExpired(now);
      if (jobsBefore != null) jobs += purge(() -> queue.purgeSucceeded(jobsBefore, purgeBatch));
      if (messagesBefore != null) {
        Outbox outbox = flowstore.outbox(tenant);
        messages += purge(() -> outbox.purgePublished(messagesBefore, purgeBatch));
      }
      if (!retained.isEmpty()) {
        Records tenantRecords = flowstore.records(tenant).attributedTo("flowstore:retention", null);
        for (String collection : retained)
          records += purge(() -> tenantRecords.applyRetention(collection, now, purgeBatch));
      }
    }
    if (jobs + messages + records > 0)
      LOG.info(
          "retention deleted {} succeeded jobs and {} published outbox messages, and deleted or archived {} records",
          jobs,
          messages,
          records);
    int total = sessions + handles + leases + deadLettered + keys;
    if (total > 0)
      LOG.info(
          "expired {} sessions, {} resume handles, {} job leases and {} idempotency keys; finished {} DLQ transitions",
          sessions,
          handles,
          leases,
          keys,
          deadLettered);
    return total + jobs + messages + records;
  }

  /** Retention batches until one comes back short, at most {@code purgeBatchesPerRound}. */
  private int purge(IntSupplier batch) {
    int total = 0;
    for (int i = 0; i < purgeBatchesPerRound; i++) {
      int n = batch.getAsInt();
      total += n;
      if (n < purgeBatch) break;
    }
    return total;
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
  }
}
