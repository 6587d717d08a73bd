package dev.flowstore.server.internal.workers;

import dev.flowstore.Flowstore;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TTL sweeper and lease reaper: every {@code interval}, for every tenant, marks what has run
 * out of time as expired (sessions past their TTL, waiting resume handles past their {@code
 * expires_at}), ends expired queue leases ({@link Queue#releaseExpired}), finishes interrupted DLQ
 * transitions ({@link Queue#recoverDlq}) and deletes expired idempotency keys. Time comes from the
 * injected {@link Clock} (the queue's from the store's clock), so tests call {@link #sweep} with a
 * clock of their choosing instead of waiting. A failure is logged and retried on the next round; it
 * never stops the worker.
 */
public final class Sweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
  static final int BATCH = 500;

  private final Flowstore flowstore;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  private Sweeper(Flowstore flowstore, Clock clock, ScheduledExecutorService timer) {
    this.flowstore = flowstore;
    this.clock = clock;
    this.timer = timer;
  }

  /** Starts sweeping every {@code interval}. */
  public static Sweeper start(Flowstore flowstore, Clock clock, Duration interval) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("flowstore-sweeper").factory());
    Sweeper sweeper = new Sweeper(flowstore, clock, timer);
    timer.scheduleWithFixedDelay(
        sweeper::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return sweeper;
  }

  /** A sweeper without a timer, for one-off sweeps (tests, the CLI). */
  public static Sweeper manual(Flowstore flowstore, Clock clock) {
    return new Sweeper(flowstore, clock, null);
  }

  private void sweepQuietly() {
    try {
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
    }
    int total = sessions + handles + leases + deadLettered + keys;
    if (total > 0)
      LOG.info(
          "expired {} sessions, {} resume handles, {} job leases and {} idempotency keys; finished {} DLQ transitions",
          sessions,
          handles,
          leases,
          keys,
          deadLettered);
    return total;
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
  }
}
