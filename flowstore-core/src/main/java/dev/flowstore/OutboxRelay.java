package dev.flowstore;

import dev.flowstore.internal.Faults;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox messages. Each round visits every tenant that uses the outbox, claims due
 * messages in batches and publishes each one; several relays (threads or processes) may run at
 * once.
 *
 * <p>A {@code queue:<name>} destination is flowstore's own queue. A claimed batch is published
 * first (all its jobs in one enqueue, each with the unique key {@code outbox:<message_id>}) and
 * then marked (all in one transaction): a relay that dies in between leaves the batch pending, its
 * claim runs out, and the next relay's enqueue finds the still-active jobs by their unique keys
 * instead of enqueuing them twice (a job already finished by then is enqueued again: consumers
 * de-duplicate on {@code (event_id, consumer)}). A failed publish is retried with {@link Backoff};
 * a message that can never be published (bad destination or payload for the queue) or that failed
 * {@link #MAX_ATTEMPTS} times becomes FAILED.
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  /** Messages claimed at once. */
  public static final int BATCH = 100;

  /** How long a claim holds its messages. */
  public static final Duration HOLD = Duration.ofSeconds(30);

  /** Publish attempts before a message is FAILED. */
  public static final int MAX_ATTEMPTS = 10;

  private static final Set<ErrorCode> PERMANENT =
      Set.of(
          ErrorCode.INVALID_ARGUMENT,
          ErrorCode.INVALID_ID,
          ErrorCode.INVALID_JSON,
          ErrorCode.PAYLOAD_TOO_LARGE);

  private final Flowstore flowstore;
  private volatile Thread loop;

  private OutboxRelay(Flowstore flowstore, Thread loop) {
    this.flowstore = flowstore;
    this.loop = loop;
  }

  /**
   * Starts relaying: a round whenever an outbox message commits ({@link Flowstore#outboxSignal()}),
   * and at least every {@code interval} (OUTBOX_POLL_INTERVAL_MS in the server) for retries that
   * fall due. No round runs while writes are frozen ({@link Flowstore#maintenance()}).
   */
  public static OutboxRelay start(Flowstore flowstore, Duration interval) {
    OutboxRelay relay = new OutboxRelay(flowstore, null);
    relay.loop = Thread.ofVirtual().name("flowstore-outbox-relay").start(() -> relay.run(interval));
    return relay;
  }

  private void run(Duration interval) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        long seen = flowstore.outboxSignal();
        // why: a timed relay writes (marks, enqueues): it pauses while writes are frozen
        if (!flowstore.maintenance().state().on()) relayQuietly();
        flowstore.awaitOutboxSignal(seen, interval);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("outbox relay wait failed, will retry: {}", e.toString());
        try {
          Thread.sleep(interval); // why: back off instead of spinning while the backend is down
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** A relay without a timer: call {@link #relayOnce()} yourself. */
  public static OutboxRelay manual(Flowstore flowstore) {
    return new OutboxRelay(flowstore, null);
  }

  private void relayQuietly() {
    try {
      relayOnce();
    } catch (RuntimeException e) {
      LOG.warn("outbox relay round failed, will retry: {}", e.toString());
    }
  }

  /** One round over every tenant; returns how many messages were published. */
  public int relayOnce() {
    int published = 0;
    for (TenantId tenant : flowstore.outboxTenants()) published += relay(tenant);
    return published;
  }

  /** Publishes one tenant's due messages, batch by batch; returns how many were published. */
  public int relay(TenantId tenant) {
    int published = 0;
    while (true) {
      List<OutboxMessage> batch = flowstore.outbox(tenant).claim(BATCH, HOLD);
      if (!batch.isEmpty()) published += publishAll(tenant, batch);
      if (batch.size() < BATCH) return published;
    }
  }

  /**
   * Publishes a claimed batch with two commits instead of two per message: every job in one
   * enqueue, then every mark in one transaction (publish first, then mark, as for one message). If
   * the batch cannot be enqueued whole (one message is bad for the queue), each message is
   * published on its own, so only the bad one fails.
   */
  private int publishAll(TenantId tenant, List<OutboxMessage> batch) {
    try {
      flowstore.queue(tenant).enqueueAll(batch.stream().map(OutboxRelay::job).toList());
    } catch (FlowstoreException e) {
      int published = 0;
      for (OutboxMessage m : batch) if (publish(tenant, m)) published++;
      return published;
    }
    Faults.hit(Faults.Point.OUTBOX_RELAY_BEFORE_MARK);
    return flowstore.inTransaction(
        tenant,
        tx -> {
          int marked = 0;
          for (OutboxMessage m : batch) {
            if (tx.outbox().markPublished(m.messageId())) marked++;
            if (marked == 1) Faults.hit(Faults.Point.OUTBOX_RELAY_MID_BATCH);
          }
          return marked;
        });
  }

  private boolean publish(TenantId tenant, OutboxMessage m) {
    try {
      // why: publish first, then mark: a crash in between re-publishes (at least once, never lost),
      // and the unique key makes that re-publish a no-op while the first job is still active
      flowstore.queue(tenant).enqueue(job(m));
      Faults.hit(Faults.Point.OUTBOX_RELAY_BEFORE_MARK);
      return flowstore.outbox(tenant).markPublished(m.messageId());
    } catch (FlowstoreException e) {
      boolean permanent = PERMANENT.contains(e.code()) || m.attempts() >= MAX_ATTEMPTS;
      Duration retry =
          permanent ? null : Backoff.DEFAULT.delay(m.attempts(), ThreadLocalRandom.current());
      flowstore.outbox(tenant).markFailed(m.messageId(), e.code() + ": " + e.getMessage(), retry);
      LOG.warn(
          "outbox message {} of tenant {} not published ({}): {}",
          m.messageId(),
          tenant,
          permanent ? "giving up" : "will retry",
          e.getMessage());
      return false;
    }
  }

  private static NewJob job(OutboxMessage m) {
    String queue = m.destination().substring("queue:".length());
    String type = m.headers().path("job_type").asText("outbox");
    String trace = m.headers().hasNonNull("trace_id") ? m.headers().get("trace_id").asText() : null;
    return NewJob.of(queue, type, m.payload())
        .withEventId(m.eventId())
        .withTraceId(trace)
        .withUniqueKey("outbox:" + m.messageId());
  }

  @Override
  public void close() {
    Thread t = loop;
    if (t == null) return;
    t.interrupt();
    try {
      t.join(java.time.Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
