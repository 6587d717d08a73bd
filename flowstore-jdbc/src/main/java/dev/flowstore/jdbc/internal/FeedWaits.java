package dev.flowstore.jdbc.internal;

import dev.flowstore.MetricGauge;
import dev.flowstore.RecordedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long polls of the event feed ({@link dev.flowstore.EventStore#awaitAll}): a waiter reads, and
 * while the page is empty sleeps on its tenant's feed key of {@link QueueWakeups} until an append
 * signals it (this process's after commit, other processes' through the dialect's NOTIFY), the
 * dialect's {@link Dialect#feedRecheck} interval passes, or the timeout. It holds no connection
 * while it sleeps.
 *
 * <p>Why no signal is lost: the waiter takes the key's generation before it reads, and sleeps only
 * while the generation is still that one. An append that commits after the read changes it (its
 * signal comes after its commit); one that committed before the read is in the page.
 */
final class FeedWaits {
  private final QueueWakeups wakeups;
  private final Duration recheck;
  private final AtomicInteger sleeping = new AtomicInteger();

  FeedWaits(QueueWakeups wakeups, Duration recheck) {
    this.wakeups = wakeups;
    this.recheck = recheck;
  }

  /** The read a waiter repeats (one page of the feed). */
  interface Read {
    List<RecordedEvent> page();
  }

  /** Reads with {@code read} until it answers events or {@code timeout} passes. */
  List<RecordedEvent> await(String tenant, Read read, Duration timeout)
      throws InterruptedException {
    String key = QueueWakeups.feedKey(tenant);
    // why the cap: a year is forever here, and keeps the deadline's nanoseconds from overflowing
    long deadline = System.nanoTime() + min(timeout, Duration.ofDays(365)).toNanos();
    while (true) {
      long seen = wakeups.generation(key);
      List<RecordedEvent> page = read.page();
      long left = deadline - System.nanoTime();
      if (!page.isEmpty() || left <= 0 || wakeups.isClosed()) return page;
      wakeups.ensureListening();
      sleeping.incrementAndGet();
      try {
        wakeups.await(key, seen, Duration.ofNanos(Math.min(left, recheck.toNanos())));
      } finally {
        sleeping.decrementAndGet();
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The waiters asleep now (between reads), for {@code GET /metrics} and tests. */
  MetricGauge gauge() {
    return new MetricGauge(
        "flowstore.feed.waiters",
        "Callers waiting for an event of the feed (EventStore.awaitAll, GET /v1/events?wait_s),"
            + " holding no connection",
        Map.of(),
        sleeping::get);
  }
}
