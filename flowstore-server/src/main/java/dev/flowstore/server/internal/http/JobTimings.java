package dev.flowstore.server.internal.http;

import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.TenantId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long jobs wait to be leased and how long their handlers take, as histograms per queue: {@code
 * flowstore_job_wait_seconds} (from when the job became due — enqueue, {@code run_at}, or the end
 * of a retry's backoff — to its lease) and {@code flowstore_job_duration_seconds} (lease to ack or
 * nack, by outcome). Measured where the HTTP API hands out leases and takes their outcomes, the
 * same for every queue backend.
 *
 * <p>The lease start is remembered here, in memory, by job and lease token: an ack that reaches
 * another server instance than its lease (or this one after a restart) is not timed. At most {@link
 * #MAX_TRACKED} leases are remembered; one that is never settled is forgotten after a day.
 */
final class JobTimings {
  static final int MAX_TRACKED = 100_000;
  private static final Duration FORGET = Duration.ofDays(1);
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private record Key(TenantId tenant, UUID job, long token) {}

  private record Started(String queue, Instant at) {}

  private final MeterRegistry registry;
  private final Map<Key, Started> leased = new ConcurrentHashMap<>();
  private final Map<String, Timer> waits = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();

  JobTimings(MeterRegistry registry) {
    this.registry = registry;
  }

  void leased(TenantId tenant, Lease lease, Instant now) {
    Job job = lease.job();
    Instant due =
        job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    waits
        .computeIfAbsent(
            job.queue(),
            q -> timer("flowstore.job.wait", "Time from a job being due to its lease", q, null))
        .record(
            Duration.between(due, now).isNegative() ? Duration.ZERO : Duration.between(due, now));
    if (leased.size() < MAX_TRACKED)
      leased.put(new Key(tenant, job.jobId(), lease.token()), new Started(job.queue(), now));
  }

  /** An ack ({@code succeeded}) or nack ({@code failed}) of the lease {@code token}. */
  void settled(TenantId tenant, UUID jobId, long token, String outcome, Instant now) {
    Started s = leased.remove(new Key(tenant, jobId, token));
    if (s == null) return;
    durations
        .computeIfAbsent(
            s.queue() + "\u0000" + outcome,
            k ->
                timer(
                    "flowstore.job.duration",
                    "Time from a job's lease to its ack or nack",
                    s.queue(),
                    outcome))
        .record(Duration.between(s.at(), now));
  }

  /** A release: the attempt does not count, nothing is timed. */
  void released(TenantId tenant, UUID jobId, long token) {
    leased.remove(new Key(tenant, jobId, token));
  }

  void forgetOld(Instant now) {
    Instant before = now.minus(FORGET);
    leased.values().removeIf(s -> s.at().isBefore(before));
  }

  private Timer timer(String name, String description, String queue, String outcome) {
    Timer.Builder b =
        Timer.builder(name)
            .description(description)
            .tag("queue", queue)
            .serviceLevelObjectives(BUCKETS);
    if (outcome != null) b.tag("outcome", outcome);
    return b.register(registry);
  }
}
