package dev.flowstore.server.internal.http;

import dev.flowstore.Flowstore;
import dev.flowstore.OutboxStats;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's state as gauges, summed over every tenant: jobs per queue and state, DLQ size per
 * queue, the outbox backlog and the relay's lag. Computed when {@code /metrics} is scraped, at most
 * once per {@link #REFRESH} (one query per tenant for queues, one per outbox tenant), so a scraper
 * cannot load the database more than that. A failed refresh keeps the last values and is counted
 * ({@code flowstore_metrics_refresh_failures_total}).
 *
 * <p>Labels: {@code queue} (the names callers use; bounded by the queues an application declares,
 * summed across tenants: no tenant label) and {@code state}.
 */
final class StoreGauges {
  static final Duration REFRESH = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);

  private final Flowstore flowstore;
  private final Clock clock;
  private final MultiGauge queueJobs;
  private final MultiGauge dlqJobs;
  private final AtomicLong tenants = new AtomicLong();
  private final AtomicLong outboxPending = new AtomicLong();
  private final AtomicLong outboxFailed = new AtomicLong();
  // microseconds, so the gauge keeps sub-second precision
  private final AtomicLong outboxLagMicros = new AtomicLong();
  private final Counter failures;
  private Instant refreshedAt = Instant.EPOCH;

  StoreGauges(Flowstore flowstore, MeterRegistry registry, Clock clock) {
    this.flowstore = flowstore;
    this.clock = clock;
    this.queueJobs =
        MultiGauge.builder("flowstore.queue.jobs")
            .description(
                "Jobs per queue and state (ready, delayed, leased, succeeded, dlq_pending, dlq_recorded, failed), all tenants")
            .register(registry);
    this.dlqJobs =
        MultiGauge.builder("flowstore.dlq.jobs")
            .description("Jobs in the dead-letter queue (status failed) per queue, all tenants")
            .register(registry);
    Gauge.builder("flowstore.tenants", tenants, AtomicLong::get)
        .description("Tenants known to the store")
        .register(registry);
    Gauge.builder("flowstore.outbox.messages", outboxPending, AtomicLong::get)
        .description(
            "Outbox messages not published yet (pending) or given up (failed), all tenants")
        .tags("state", "pending")
        .register(registry);
    Gauge.builder("flowstore.outbox.messages", outboxFailed, AtomicLong::get)
        .description(
            "Outbox messages not published yet (pending) or given up (failed), all tenants")
        .tags("state", "failed")
        .register(registry);
    Gauge.builder("flowstore.outbox.oldest.pending.age", outboxLagMicros, l -> l.get() / 1e6)
        .description("Age of the oldest pending outbox message (the relay's lag), 0 when none")
        .baseUnit("seconds")
        .register(registry);
    this.failures =
        Counter.builder("flowstore.metrics.refresh.failures")
            .description("Scrapes that could not read the store's queue and outbox state")
            .register(registry);
  }

  /** Recomputes the gauges unless they were computed less than {@link #REFRESH} ago. */
  synchronized void refreshIfStale() {
    Instant now = clock.instant();
    if (now.isBefore(refreshedAt.plus(REFRESH))) return;
    refreshedAt = now;
    try {
      refresh(now);
    } catch (RuntimeException e) {
      // why any exception: a scrape must answer whatever state the store is in
      failures.increment();
      LOG.warn(
          "metrics: cannot read queue and outbox state ({}); keeping the last values",
          e.getMessage());
    }
  }

  private void refresh(Instant now) {
    List<TenantId> all = flowstore.tenants();
    Map<String, long[]> perQueue = new TreeMap<>();
    for (TenantId t : all) {
      for (QueueStats s : flowstore.queue(t).stats()) {
        long[] sum = perQueue.computeIfAbsent(s.queue(), q -> new long[STATES.size()]);
        long[] v = {
          s.ready(),
          s.delayed(),
          s.leased(),
          s.succeeded(),
          s.dlqPending(),
          s.dlqRecorded(),
          s.failed()
        };
        for (int i = 0; i < v.length; i++) sum[i] += v[i];
      }
    }
    long pending = 0;
    long failed = 0;
    Instant oldest = null;
    for (TenantId t : flowstore.outboxTenants()) {
      OutboxStats s = flowstore.outbox(t).stats();
      pending += s.pending();
      failed += s.failed();
      if (s.oldestPendingCreatedAt() != null
          && (oldest == null || s.oldestPendingCreatedAt().isBefore(oldest)))
        oldest = s.oldestPendingCreatedAt();
    }
    List<MultiGauge.Row<?>> jobs = new ArrayList<>();
    List<MultiGauge.Row<?>> dlq = new ArrayList<>();
    perQueue.forEach(
        (queue, counts) -> {
          for (int i = 0; i < STATES.size(); i++)
            jobs.add(MultiGauge.Row.of(Tags.of("queue", queue, "state", STATES.get(i)), counts[i]));
          dlq.add(MultiGauge.Row.of(Tags.of("queue", queue), counts[STATES.indexOf("failed")]));
        });
    queueJobs.register(jobs, true);
    dlqJobs.register(dlq, true);
    tenants.set(all.size());
    outboxPending.set(pending);
    outboxFailed.set(failed);
    outboxLagMicros.set(
        oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toNanos() / 1000));
  }

  private static final List<String> STATES =
      List.of("ready", "delayed", "leased", "succeeded", "dlq_pending", "dlq_recorded", "failed");
}
