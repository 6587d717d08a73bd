package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.Outbox;
import dev.flowstore.OutboxMessage;
import dev.flowstore.Queue;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Retention: {@link Queue#purgeSucceeded} deletes a tenant's succeeded jobs (with their attempt
 * history) and {@link Outbox#purgePublished} its published outbox messages, finished before a
 * cutoff, oldest first, at most {@code max} per call, and nothing else. Every queue backend
 * subclasses this (and runs it once more with {@link #queue} / {@link #outbox} in the caller's
 * transaction).
 */
public abstract class RetentionContract extends QueueTestSupport {
  private static final Duration VIS = Duration.ofSeconds(30);

  /** The outbox under test: autonomous by default; the in-transaction variant overrides this. */
  protected Outbox outbox(TenantId tenant) {
    return fs.outbox(tenant);
  }

  /**
   * How many attempt records the backend still stores for the tenant, read around the API (a purge
   * must not leave orphaned history behind); empty where the subclass cannot tell.
   */
  protected OptionalLong storedAttempts(TenantId tenant) {
    return OptionalLong.empty();
  }

  private void assertStoredAttempts(TenantId tenant, long expected) {
    storedAttempts(tenant)
        .ifPresent(n -> assertThat(n).as("stored attempt records").isEqualTo(expected));
  }

  /** Enqueues, leases and acks {@code n} jobs one after the other; their ids, oldest first. */
  private static List<UUID> succeed(Queue q, String queue, int n) {
    q.enqueueAll(IntStream.range(0, n).mapToObj(i -> job(queue, i)).toList());
    List<Lease> leases = q.lease(queue, n, VIS);
    assertThat(leases).hasSize(n);
    List<UUID> ids = new ArrayList<>();
    for (Lease l : leases) {
      assertThat(q.ack(l.jobId(), l.token()).status()).isEqualTo(Job.Status.SUCCEEDED);
      ids.add(l.jobId());
    }
    return ids;
  }

  /**
   * Adds and publishes {@code n} messages one after the other (unclaimed: a pending message may be
   * marked directly, and other pending messages stay out of the way); their ids, oldest first.
   */
  private static List<UUID> publish(Outbox o, int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UUID id = o.add("queue:out", payload(i), null, null).messageId();
      assertThat(o.markPublished(id)).isTrue();
      ids.add(id);
    }
    return ids;
  }

  private static Job.Status status(Queue q, UUID jobId) {
    return q.get(jobId).orElseThrow().job().status();
  }

  @Test
  void deletesOnlySucceededJobsThatFinishedBeforeTheCutoff() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    List<UUID> old = succeed(q, "r", 3);
    UUID failed = q.enqueue(job("f", 1).withMaxAttempts(1)).value().jobId();
    Lease fl = q.lease("f", 1, VIS).get(0);
    assertThat(q.nack(failed, fl.token(), "boom", null).status()).isEqualTo(Job.Status.FAILED);
    UUID leased = q.enqueue(job("l", 1)).value().jobId();
    assertThat(q.lease("l", 1, VIS)).hasSize(1);
    UUID queued = q.enqueue(job("r", 9)).value().jobId();
    UUID delayed = q.enqueue(job("r", 10).withRunAt(clock.instant().plus(VIS))).value().jobId();
    clock.advance(Duration.ofHours(2));
    Instant cutoff = clock.instant();
    List<UUID> recent = succeed(q, "n", 2);

    assertThat(q.purgeSucceeded(cutoff, 100)).isEqualTo(3);
    for (UUID id : old) assertThat(q.get(id)).as("purged job " + id).isEmpty();
    assertThat(status(q, failed)).isEqualTo(Job.Status.FAILED);
    assertThat(q.deadLetters().inspect(failed)).as("the DLQ keeps failed jobs").isPresent();
    assertThat(status(q, leased)).isEqualTo(Job.Status.LEASED);
    assertThat(status(q, queued)).isEqualTo(Job.Status.QUEUED);
    assertThat(status(q, delayed)).isEqualTo(Job.Status.QUEUED);
    for (UUID id : recent) assertThat(status(q, id)).isEqualTo(Job.Status.SUCCEEDED);
    assertThat(q.purgeSucceeded(cutoff, 100)).isZero();
    assertThat(stats(q, "r").succeeded()).isZero();
    assertThat(stats(q, "n").succeeded()).isEqualTo(2);

    Instant finished = q.get(recent.get(0)).orElseThrow().job().finishedAt();
    assertThat(q.purgeSucceeded(finished, 100))
        .as("finishing at the cutoff is not before it")
        .isZero();
    assertThat(q.purgeSucceeded(finished.plus(1, ChronoUnit.MICROS), 100)).isOne();
    assertThat(q.get(recent.get(0))).isEmpty();
    assertThat(status(q, recent.get(1))).isEqualTo(Job.Status.SUCCEEDED);
  }

  @Test
  void aPurgedJobTakesItsAttemptHistoryWithIt() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    UUID done = q.enqueue(job("a", 1)).value().jobId();
    Lease first = q.lease("a", 1, VIS).get(0);
    q.nack(done, first.token(), "first try", Duration.ZERO);
    Lease second = q.lease("a", 1, VIS).get(0);
    q.ack(done, second.token());
    assertThat(q.get(done).orElseThrow().attempts()).hasSize(2);
    UUID retrying = q.enqueue(job("a", 2)).value().jobId();
    Lease l = q.lease("a", 1, VIS).get(0);
    assertThat(l.jobId()).isEqualTo(retrying);
    q.nack(retrying, l.token(), "later", Duration.ofDays(1));
    assertStoredAttempts(tenant, 3);

    clock.advance(Duration.ofMinutes(1));
    assertThat(q.purgeSucceeded(clock.instant(), 10)).isOne();
    assertThat(q.get(done)).isEmpty();
    assertThat(q.get(retrying).orElseThrow().attempts()).hasSize(1);
    assertStoredAttempts(tenant, 1);
  }

  @Test
  void purgesOldestFirstAtMostMaxPerCallUntilDrained() {
    Queue q = queue(newTenant());
    List<UUID> ids = succeed(q, "b", 25);
    clock.advance(Duration.ofMinutes(1));
    Instant cutoff = clock.instant();
    assertThat(q.purgeSucceeded(cutoff, 10)).isEqualTo(10);
    for (int i = 0; i < ids.size(); i++)
      assertThat(q.get(ids.get(i)).isPresent()).as("job %d of 25 kept", i + 1).isEqualTo(i >= 10);
    assertThat(q.purgeSucceeded(cutoff, 10)).isEqualTo(10);
    assertThat(q.purgeSucceeded(cutoff, 10)).isEqualTo(5);
    assertThat(q.purgeSucceeded(cutoff, 10)).isZero();
    for (UUID id : ids) assertThat(q.get(id)).isEmpty();
  }

  @Test
  void concurrentPurgesDeleteEveryJobOnceAndNeverMoreThanMax() throws Exception {
    TenantId tenant = newTenant();
    List<UUID> ids = succeed(queue(tenant), "c", 40);
    clock.advance(Duration.ofMinutes(1));
    Instant cutoff = clock.instant();
    var out =
        Concurrently.race(
            4,
            i -> {
              List<Integer> counts = new ArrayList<>();
              int n;
              do {
                n = queue(tenant).purgeSucceeded(cutoff, 5);
                counts.add(n);
              } while (n > 0);
              return counts;
            });
    List<Integer> counts = new ArrayList<>();
    for (var o : out) {
      assertThat(o.code()).isEqualTo("OK");
      counts.addAll(o.value());
    }
    assertThat(counts).allSatisfy(n -> assertThat(n).isBetween(0, 5));
    assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(ids.size());
    assertThat(queue(tenant).purgeSucceeded(cutoff, 5)).isZero();
  }

  @Test
  void aPurgeTouchesOnlyTheCallingTenant() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    List<UUID> mine = succeed(queue(a), "x", 3);
    List<UUID> theirs = succeed(queue(b), "x", 3);
    clock.advance(Duration.ofMinutes(1));
    Instant cutoff = clock.instant();
    assertThat(queue(a).purgeSucceeded(cutoff, 100)).isEqualTo(3);
    for (UUID id : mine) assertThat(queue(a).get(id)).isEmpty();
    for (UUID id : theirs) assertThat(status(queue(b), id)).isEqualTo(Job.Status.SUCCEEDED);
    assertStoredAttempts(b, 3);
    assertThat(queue(b).purgeSucceeded(cutoff, 100)).isEqualTo(3);
    assertStoredAttempts(b, 0);
  }

  @Test
  void aPurgedJobsUniqueKeyCanBeEnqueuedAgain() {
    Queue q = queue(newTenant());
    Job first = q.enqueue(job("u", 1).withUniqueKey("k")).value();
    Lease l = q.lease("u", 1, VIS).get(0);
    q.ack(first.jobId(), l.token());
    Job holder = q.enqueue(job("u", 2).withUniqueKey("k2")).value();
    clock.advance(Duration.ofMinutes(1));
    assertThat(q.purgeSucceeded(clock.instant(), 100)).isOne();
    Recorded<Job> again = q.enqueue(job("u", 3).withUniqueKey("k"));
    assertThat(again.duplicate()).isFalse();
    assertThat(again.value().jobId()).isNotEqualTo(first.jobId());
    assertThat(again.value().status()).isEqualTo(Job.Status.QUEUED);
    Recorded<Job> dup = q.enqueue(job("u", 4).withUniqueKey("k2"));
    assertThat(dup.duplicate()).as("an active job keeps its key").isTrue();
    assertThat(dup.value().jobId()).isEqualTo(holder.jobId());
  }

  @Test
  void aBadBatchSizeOrNoCutoffIsInvalidArgument() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Outbox o = outbox(tenant);
    Instant now = clock.instant();
    for (int max : new int[] {0, -1, 10_001}) {
      assertCode(() -> q.purgeSucceeded(now, max), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> o.purgePublished(now, max), ErrorCode.INVALID_ARGUMENT);
    }
    assertCode(() -> q.purgeSucceeded(null, 10), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> o.purgePublished(null, 10), ErrorCode.INVALID_ARGUMENT);
    assertThat(q.purgeSucceeded(now, 10_000)).isZero();
    assertThat(o.purgePublished(now, 1)).isZero();
  }

  @Test
  void deletesOnlyPublishedMessagesPublishedBeforeTheCutoff() {
    Outbox o = outbox(newTenant());
    List<UUID> old = publish(o, 2);
    UUID failed = o.add("queue:out", payload(10), null, null).messageId();
    assertThat(o.claim(1, VIS))
        .singleElement()
        .satisfies(m -> assertThat(m.messageId()).isEqualTo(failed));
    assertThat(o.markFailed(failed, "refused", null)).isTrue();
    UUID claimed = o.add("queue:out", payload(11), null, null).messageId();
    assertThat(o.claim(1, Duration.ofDays(1))).hasSize(1);
    UUID pending = o.add("queue:out", payload(12), null, null).messageId();
    clock.advance(Duration.ofHours(2));
    Instant cutoff = clock.instant();
    List<UUID> recent = publish(o, 2);

    assertThat(o.purgePublished(cutoff, 100)).isEqualTo(2);
    for (UUID id : old) assertThat(o.get(id)).as("purged message " + id).isEmpty();
    assertThat(o.get(failed).orElseThrow().status()).isEqualTo(OutboxMessage.Status.FAILED);
    assertThat(o.get(claimed).orElseThrow().status()).isEqualTo(OutboxMessage.Status.PENDING);
    assertThat(o.get(pending).orElseThrow().status()).isEqualTo(OutboxMessage.Status.PENDING);
    for (UUID id : recent)
      assertThat(o.get(id).orElseThrow().status()).isEqualTo(OutboxMessage.Status.PUBLISHED);
    assertThat(o.purgePublished(cutoff, 100)).isZero();

    Instant published = o.get(recent.get(0)).orElseThrow().publishedAt();
    assertThat(o.purgePublished(published, 100))
        .as("published at the cutoff is not before it")
        .isZero();
    assertThat(o.purgePublished(published.plus(1, ChronoUnit.MICROS), 100)).isOne();
    assertThat(o.get(recent.get(0))).isEmpty();
    assertThat(o.get(recent.get(1))).isPresent();
  }

  @Test
  void outboxPurgesDrainOldestFirstInBatchesAndKeepOtherTenants() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    List<UUID> mine = publish(outbox(a), 12);
    List<UUID> theirs = publish(outbox(b), 3);
    clock.advance(Duration.ofMinutes(1));
    Instant cutoff = clock.instant();
    assertThat(outbox(a).purgePublished(cutoff, 5)).isEqualTo(5);
    for (int i = 0; i < mine.size(); i++)
      assertThat(outbox(a).get(mine.get(i)).isPresent())
          .as("message %d of 12 kept", i + 1)
          .isEqualTo(i >= 5);
    assertThat(outbox(a).purgePublished(cutoff, 5)).isEqualTo(5);
    assertThat(outbox(a).purgePublished(cutoff, 5)).isEqualTo(2);
    assertThat(outbox(a).purgePublished(cutoff, 5)).isZero();
    assertThat(outbox(a).list(OutboxMessage.Status.PUBLISHED, 100, null)).isEmpty();
    assertThat(outbox(b).list(OutboxMessage.Status.PUBLISHED, 100, null))
        .extracting(OutboxMessage::messageId)
        .containsExactlyElementsOf(theirs);
    assertThat(outbox(b).purgePublished(cutoff, 5)).isEqualTo(3);
  }
}
