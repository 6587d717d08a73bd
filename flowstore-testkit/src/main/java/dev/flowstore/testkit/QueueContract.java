package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt.Outcome;
import dev.flowstore.JobDetail;
import dev.flowstore.JobMessage;
import dev.flowstore.JobQuery;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The job queue contract: every queue backend subclasses this (and runs it once more with {@link
 * #queue} returning an {@link InTransactionQueue}).
 */
public abstract class QueueContract extends QueueTestSupport {
  private static final Duration VIS = Duration.ofSeconds(30);

  @Test
  void enqueuesLeasesAndAcksAJobWithTheMessageFields() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    UUID event = UUID.randomUUID();
    Recorded<Job> r = q.enqueue(job("emails", 1).withTraceId("trace-1").withEventId(event));
    assertThat(r.duplicate()).isFalse();
    Job queued = r.value();
    assertThat(queued.status()).isEqualTo(Job.Status.QUEUED);
    assertThat(queued.attempt()).isZero();
    assertThat(queued.maxAttempts()).isEqualTo(Queue.DEFAULT_MAX_ATTEMPTS);
    assertThat(queued.payload()).isEqualTo(payload(1));

    Instant before = clock.instant();
    List<Lease> leases = q.lease("emails", 10, VIS);
    Instant after = clock.instant();
    assertThat(leases).hasSize(1);
    Lease lease = leases.get(0);
    assertThat(lease.token()).isPositive();
    assertThat(lease.expiresAt()).isBetween(before.plus(VIS), after.plus(VIS));
    JobMessage m = lease.message();
    assertThat(m.jobId()).isEqualTo(queued.jobId());
    assertThat(m.messageId()).isEqualTo(queued.messageId());
    assertThat(m.eventId()).isEqualTo(event);
    assertThat(m.tenantId()).isEqualTo(tenant);
    assertThat(m.traceId()).isEqualTo("trace-1");
    assertThat(m.jobType()).isEqualTo("work");
    assertThat(m.attempt()).isEqualTo(1);
    assertThat(q.lease("emails", 10, VIS)).as("leased jobs are invisible").isEmpty();

    Job done = q.ack(lease.jobId(), lease.token());
    assertThat(done.status()).isEqualTo(Job.Status.SUCCEEDED);
    assertThat(done.finishedAt()).isNotNull();
    JobDetail d = q.get(queued.jobId()).orElseThrow();
    assertThat(d.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.outcome()).isEqualTo(Outcome.SUCCEEDED);
              assertThat(a.token()).isEqualTo(lease.token());
            });
    assertThat(d.deadLetter()).isNull();
  }

  @Test
  void aBatchIsEnqueuedWholeOrNotAtAll() {
    Queue q = queue(newTenant());
    List<Recorded<Job>> r = q.enqueueAll(List.of(job("b", 1), job("b", 2), job("c", 3)));
    assertThat(r).hasSize(3).noneMatch(Recorded::duplicate);
    assertThat(stats(q, "b").ready()).isEqualTo(2);
    assertThat(stats(q, "c").ready()).isEqualTo(1);
    // one bad job fails the whole batch before anything is written
    assertCode(
        () -> q.enqueueAll(List.of(job("b", 4), NewJob.of("b", "bad type!", null))),
        ErrorCode.INVALID_ID);
    assertCode(() -> q.enqueueAll(List.of()), ErrorCode.INVALID_ARGUMENT);
    assertThat(stats(q, "b").ready()).isEqualTo(2);
  }

  @Test
  void aUniqueKeyIsUniqueAmongActiveJobsAndADuplicateReturnsTheExistingJob() {
    Queue q = queue(newTenant());
    Job first = q.enqueue(job("u", 1).withUniqueKey("user-7")).value();
    Recorded<Job> dup = q.enqueue(job("u", 2).withUniqueKey("user-7"));
    assertThat(dup.duplicate()).isTrue();
    assertThat(dup.value().jobId()).isEqualTo(first.jobId());
    assertThat(q.enqueue(job("other", 1).withUniqueKey("user-7")).duplicate()).isFalse();
    List<Recorded<Job>> batch =
        q.enqueueAll(List.of(job("u", 3).withUniqueKey("k2"), job("u", 4).withUniqueKey("k2")));
    assertThat(batch.get(0).duplicate()).isFalse();
    assertThat(batch.get(1).duplicate()).isTrue();
    assertThat(batch.get(1).value().jobId()).isEqualTo(batch.get(0).value().jobId());
    // still active while leased
    Lease l = q.lease("u", 1, VIS).get(0);
    assertThat(l.jobId()).isEqualTo(first.jobId());
    assertThat(q.enqueue(job("u", 5).withUniqueKey("user-7")).duplicate()).isTrue();
    // once finished the key is free again
    q.ack(l.jobId(), l.token());
    Recorded<Job> again = q.enqueue(job("u", 6).withUniqueKey("user-7"));
    assertThat(again.duplicate()).isFalse();
    assertThat(again.value().jobId()).isNotEqualTo(first.jobId());
  }

  @Test
  void concurrentEnqueuesWithOneUniqueKeyStoreExactlyOneJob() throws Exception {
    TenantId tenant = newTenant();
    var out =
        Concurrently.race(8, i -> queue(tenant).enqueue(job("race", i).withUniqueKey("only")));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out).filteredOn(o -> !o.value().duplicate()).hasSize(1);
    assertThat(out.stream().map(o -> o.value().value().jobId()).distinct()).hasSize(1);
    assertThat(stats(queue(tenant), "race").ready()).isEqualTo(1);
  }

  @Test
  void leasesHigherPriorityFirstThenEarlierRunAtThenEnqueueOrder() {
    Queue q = queue(newTenant());
    Instant now = clock.instant();
    Job low = q.enqueue(job("p", 1).withPriority(-5)).value();
    Job a = q.enqueue(job("p", 2)).value();
    Job b = q.enqueue(job("p", 3)).value();
    Job earlier = q.enqueue(job("p", 4).withRunAt(now.minusSeconds(60))).value();
    Job high = q.enqueue(job("p", 5).withPriority(10)).value();
    List<UUID> order = new ArrayList<>();
    for (Lease l : q.lease("p", 2, VIS)) order.add(l.jobId());
    for (Lease l : q.lease("p", 10, VIS)) order.add(l.jobId());
    assertThat(order)
        .containsExactly(high.jobId(), earlier.jobId(), a.jobId(), b.jobId(), low.jobId());
  }

  @Test
  void delayedJobsAreNotLeasableBeforeRunAt() {
    Queue q = queue(newTenant());
    Job later = q.enqueue(job("d", 1).withRunAt(clock.instant().plusSeconds(60))).value();
    assertThat(q.lease("d", 10, VIS)).isEmpty();
    assertThat(stats(q, "d").delayed()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(59));
    assertThat(q.lease("d", 10, VIS)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(q.lease("d", 10, VIS)).extracting(Lease::jobId).containsExactly(later.jobId());
  }

  @Test
  void aStaleTokenCanNeverAckNackExtendOrReleaseAndChangesNothing() {
    Queue q = queue(newTenant());
    Job job = q.enqueue(job("s", 1)).value();
    Lease first = q.lease("s", 1, Duration.ofSeconds(10)).get(0);
    clock.advance(Duration.ofSeconds(11));
    Lease second = q.lease("s", 1, Duration.ofSeconds(10)).get(0);
    assertThat(second.jobId()).isEqualTo(job.jobId());
    assertThat(second.token()).isGreaterThan(first.token());
    assertThat(second.message().attempt()).isEqualTo(2);
    Job before = q.get(job.jobId()).orElseThrow().job();

    UUID id = job.jobId();
    long stale = first.token();
    assertCode(() -> q.ack(id, stale), ErrorCode.LEASE_LOST);
    assertCode(() -> q.nack(id, stale, "boom", null), ErrorCode.LEASE_LOST);
    assertCode(() -> q.heartbeat(id, stale, Duration.ofSeconds(60)), ErrorCode.LEASE_LOST);
    assertCode(() -> q.release(id, stale), ErrorCode.LEASE_LOST);
    assertCode(() -> q.ack(id, second.token() + 1), ErrorCode.LEASE_LOST);
    assertThat(q.get(id).orElseThrow().job()).isEqualTo(before);

    q.ack(id, second.token());
    // once acked, even the last token is stale
    assertCode(() -> q.ack(id, second.token()), ErrorCode.LEASE_LOST);
    assertCode(() -> q.heartbeat(id, second.token(), VIS), ErrorCode.LEASE_LOST);
    JobDetail d = q.get(id).orElseThrow();
    assertThat(d.attempts())
        .extracting(a -> a.outcome())
        .containsExactly(Outcome.EXPIRED, Outcome.SUCCEEDED);
  }

  @Test
  void aHeartbeatExtendsTheLease() {
    Queue q = queue(newTenant());
    q.enqueue(job("h", 1));
    Lease l = q.lease("h", 1, Duration.ofSeconds(10)).get(0);
    clock.advance(Duration.ofSeconds(8));
    Instant before = clock.instant();
    Lease extended = q.heartbeat(l.jobId(), l.token(), Duration.ofSeconds(10));
    assertThat(extended.token()).isEqualTo(l.token());
    assertThat(extended.expiresAt())
        .isBetween(before.plusSeconds(10), clock.instant().plusSeconds(10));
    clock.advance(Duration.ofSeconds(8)); // past the first expiry, inside the extension
    assertThat(q.lease("h", 1, VIS)).isEmpty();
    assertThat(q.ack(l.jobId(), l.token()).status()).isEqualTo(Job.Status.SUCCEEDED);
  }

  @Test
  void anExpiredLeaseIsRedeliveredWithANewToken() {
    Queue q = queue(newTenant());
    Job job = q.enqueue(job("e", 1)).value();
    Lease l1 = q.lease("e", 1, Duration.ofSeconds(5)).get(0);
    clock.advance(Duration.ofSeconds(4));
    assertThat(q.lease("e", 1, VIS)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    Lease l2 = q.lease("e", 1, VIS).get(0);
    assertThat(l2.jobId()).isEqualTo(job.jobId());
    assertThat(l2.token()).isGreaterThan(l1.token());
    assertThat(l2.job().messageId()).isEqualTo(job.messageId());
  }

  @Test
  void nackRetriesWithExponentialBackoffAndJitterWithinBoundsAndKeepsEveryError() {
    Queue q = queue(newTenant());
    Job job = q.enqueue(job("r", 1).withMaxAttempts(5)).value();
    for (int attempt = 1; attempt <= 3; attempt++) {
      Lease l = q.lease("r", 1, VIS).get(0);
      assertThat(l.message().attempt()).isEqualTo(attempt);
      Instant now = clock.instant();
      Job after = q.nack(l.jobId(), l.token(), "error " + attempt, null);
      assertThat(after.status()).isEqualTo(Job.Status.QUEUED);
      assertThat(after.lastError()).isEqualTo("error " + attempt);
      // equal jitter: uniform in [e/2, e] with e = 1 s * 2^(attempt-1)
      long ceilingMs = 1000L << (attempt - 1);
      Duration delay = Duration.between(now, after.runAt());
      assertThat(delay.toMillis()).isBetween(ceilingMs / 2, ceilingMs);
      assertThat(q.lease("r", 1, VIS)).as("not before its run_at").isEmpty();
      clock.advance(Duration.ofMillis(ceilingMs));
    }
    Lease l = q.lease("r", 1, VIS).get(0);
    Instant before = clock.instant();
    Job now = q.nack(l.jobId(), l.token(), "explicit", Duration.ZERO);
    assertThat(now.runAt()).isBetween(before, clock.instant());
    assertThat(q.get(job.jobId()).orElseThrow().attempts())
        .extracting(a -> a.error())
        .containsExactly("error 1", "error 2", "error 3", "explicit");
  }

  @Test
  void releaseReturnsAJobWithoutCountingTheAttempt() {
    Queue q = queue(newTenant());
    q.enqueue(job("rel", 1).withMaxAttempts(1));
    Lease l = q.lease("rel", 1, VIS).get(0);
    Job released = q.release(l.jobId(), l.token());
    assertThat(released.status()).isEqualTo(Job.Status.QUEUED);
    assertThat(released.attempt()).isZero();
    Lease again = q.lease("rel", 1, VIS).get(0);
    assertThat(again.message().attempt()).isEqualTo(1);
    assertThat(again.token()).isGreaterThan(l.token());
  }

  @Test
  void theReaperReturnsExpiredLeasesToTheQueue() {
    Queue q = queue(newTenant());
    q.enqueueAll(List.of(job("reap", 1), job("reap", 2)));
    List<Lease> ls = q.lease("reap", 2, Duration.ofSeconds(5));
    assertThat(q.releaseExpired()).isZero();
    clock.advance(Duration.ofSeconds(5));
    assertThat(q.releaseExpired()).isEqualTo(2);
    assertThat(stats(q, "reap").ready()).isEqualTo(2);
    assertCode(() -> q.ack(ls.get(0).jobId(), ls.get(0).token()), ErrorCode.LEASE_LOST);
    assertThat(q.get(ls.get(0).jobId()).orElseThrow().attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.EXPIRED));
  }

  @Test
  void theSweepReturnsAnExpiredLeaseOfATenantThatOnlyEverUsedTheQueue() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("sw", 1).withMaxAttempts(3)).value();
    Lease l = q.lease("sw", 1, Duration.ofSeconds(5)).get(0);
    clock.advance(Duration.ofSeconds(6));
    assertThat(fs.tenants()).as("the tenants the sweeper walks").contains(tenant);
    sweepQueues();
    Job after = q.get(job.jobId()).orElseThrow().job();
    assertThat(after.status()).isEqualTo(Job.Status.QUEUED);
    assertThat(after.lastError()).isEqualTo("lease expired");
    assertThat(stats(q, "sw").ready()).isEqualTo(1);
    assertThat(stats(q, "sw").leased()).isZero();
    assertCode(() -> q.ack(l.jobId(), l.token()), ErrorCode.LEASE_LOST);
  }

  @Test
  void anotherTenantsJobIsNotFoundForEveryOperation() {
    Queue mine = queue(newTenant());
    Queue theirs = queue(newTenant());
    mine.enqueue(job("shared-name", 1));
    assertThat(theirs.lease("shared-name", 10, VIS)).isEmpty();
    Lease l = mine.lease("shared-name", 1, VIS).get(0);
    UUID id = l.jobId();
    long t = l.token();
    assertCode(() -> theirs.ack(id, t), ErrorCode.NOT_FOUND);
    assertCode(() -> theirs.nack(id, t, "x", null), ErrorCode.NOT_FOUND);
    assertCode(() -> theirs.heartbeat(id, t, VIS), ErrorCode.NOT_FOUND);
    assertCode(() -> theirs.release(id, t), ErrorCode.NOT_FOUND);
    assertThat(theirs.get(id)).isEmpty();
    assertThat(theirs.stats()).isEmpty();
    assertCode(() -> mine.ack(UUID.randomUUID(), t), ErrorCode.NOT_FOUND);
    assertThat(mine.ack(id, t).status()).isEqualTo(Job.Status.SUCCEEDED);
  }

  @Test
  void badInputGetsAStableCodeAndNothingIsWritten() {
    Queue q = queue(newTenant());
    for (String bad : new String[] {"", "a/b", "a:b", "-x", "x".repeat(129), "q\u0000"}) {
      assertCode(() -> q.enqueue(job(bad, 1)), ErrorCode.INVALID_ID);
      assertCode(() -> q.lease(bad, 1, VIS), ErrorCode.INVALID_ID);
    }
    assertCode(() -> q.enqueue(job(null, 1)), ErrorCode.INVALID_ID);
    assertCode(() -> q.enqueue(NewJob.of("q", "", null)), ErrorCode.INVALID_ID);
    assertCode(() -> q.enqueue(job("q", 1).withUniqueKey("bad key")), ErrorCode.INVALID_ID);
    assertCode(() -> q.enqueue(job("q", 1).withMaxAttempts(0)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> q.enqueue(job("q", 1).withMaxAttempts(Queue.MAX_ATTEMPTS_CAP + 1)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> q.enqueue(job("q", 1).withTraceId("t\u0000")), ErrorCode.INVALID_ARGUMENT);
    ObjectNode nul = JsonNodeFactory.instance.objectNode().put("s", "a\u0000b");
    assertCode(() -> q.enqueue(NewJob.of("q", "work", nul)), ErrorCode.INVALID_JSON);
    ObjectNode huge =
        JsonNodeFactory.instance
            .objectNode()
            .put("s", "x".repeat(fs.config().maxPayloadBytes() + 1));
    assertCode(() -> q.enqueue(NewJob.of("q", "work", huge)), ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> q.enqueue(null), ErrorCode.INVALID_ARGUMENT);
    for (int max : new int[] {0, -1, Queue.MAX_BATCH + 1})
      assertCode(() -> q.lease("q", max, VIS), ErrorCode.INVALID_ARGUMENT);
    for (Duration d :
        new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Queue.MAX_DURATION.plusSeconds(1)})
      assertCode(() -> q.lease("q", 1, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> q.lease("q", 1, null), ErrorCode.INVALID_ARGUMENT);
    assertThat(q.stats()).as("nothing written").isEmpty();

    q.enqueue(job("q", 1));
    Lease l = q.lease("q", 1, VIS).get(0);
    assertCode(() -> q.nack(l.jobId(), l.token(), null, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> q.nack(l.jobId(), l.token(), "e\u0000", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> q.nack(l.jobId(), l.token(), "x".repeat(Queue.MAX_ERROR_CHARS + 1), null),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> q.nack(l.jobId(), l.token(), "e", Duration.ofSeconds(-1)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> q.heartbeat(l.jobId(), l.token(), Duration.ofSeconds(-1)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> q.ack(null, l.token()), ErrorCode.INVALID_ARGUMENT);
    Job unchanged = q.get(l.jobId()).orElseThrow().job();
    assertThat(unchanged.status()).isEqualTo(Job.Status.LEASED);
    assertThat(unchanged.leaseToken()).isEqualTo(l.token());
  }

  @Test
  void concurrentConsumersNeverGetTheSameJobInsideOneLease() throws Exception {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    int n = 120;
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) jobs.add(job("cc", i));
    q.enqueueAll(jobs);
    var out =
        Concurrently.race(
            6,
            i -> {
              List<UUID> got = new ArrayList<>();
              while (true) {
                List<Lease> ls = queue(tenant).lease("cc", 7, VIS);
                if (ls.isEmpty()) return got;
                ls.forEach(l -> got.add(l.jobId()));
              }
            });
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    List<UUID> all = out.stream().flatMap(o -> o.value().stream()).toList();
    Set<UUID> distinct = new HashSet<>(all);
    assertThat(all).hasSize(n);
    assertThat(distinct).hasSize(n);
  }

  /**
   * Concurrent acks may share a transaction (group commit); each must still get its own answer: the
   * right token acks, a wrong or repeated one gets LEASE_LOST, an unknown job NOT_FOUND, and a
   * rejected ack writes nothing.
   */
  @Test
  void concurrentAcksEachGetTheirOwnAnswer() throws Exception {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    int n = 48;
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) jobs.add(job("acks", i));
    q.enqueueAll(jobs);
    List<Lease> leases = new ArrayList<>(q.lease("acks", n, VIS));
    leases.sort(java.util.Comparator.comparing(Lease::jobId));
    assertThat(leases).hasSize(n);
    // racer i: i % 4 == 0 -> right token; 1 -> wrong token; 2 -> unknown job; 3 -> same job and
    // token as racer i - 3 (a duplicate ack: exactly one of the two may succeed)
    var out =
        Concurrently.race(
            n,
            i -> {
              Lease l = leases.get(i % 4 == 3 ? i - 3 : i);
              return switch (i % 4) {
                case 0, 3 -> queue(tenant).ack(l.jobId(), l.token());
                case 1 -> queue(tenant).ack(l.jobId(), l.token() + 1);
                default -> queue(tenant).ack(UUID.randomUUID(), 1);
              };
            });
    for (int i = 0; i < n; i++) {
      Lease l = leases.get(i);
      switch (i % 4) {
        case 0 -> {
          String pair = out.get(i).code() + "/" + out.get(i + 3).code();
          assertThat(pair).isIn("OK/LEASE_LOST", "LEASE_LOST/OK");
          Job acked = (out.get(i).ok() ? out.get(i) : out.get(i + 3)).value();
          assertThat(acked.jobId()).isEqualTo(l.jobId());
          assertThat(acked.status()).isEqualTo(Job.Status.SUCCEEDED);
          JobDetail d = q.get(l.jobId()).orElseThrow();
          assertThat(d.job().status()).isEqualTo(Job.Status.SUCCEEDED);
          assertThat(d.attempts()).extracting(a -> a.outcome()).containsExactly(Outcome.SUCCEEDED);
        }
        case 1 -> {
          assertThat(out.get(i).code()).isEqualTo("LEASE_LOST");
          JobDetail d = q.get(l.jobId()).orElseThrow();
          assertThat(d.job().status()).isEqualTo(Job.Status.LEASED);
          assertThat(d.job().leaseToken()).isEqualTo(l.token());
          assertThat(d.attempts()).extracting(a -> a.outcome()).containsExactly(Outcome.LEASED);
          q.ack(l.jobId(), l.token());
        }
        case 2 -> assertThat(out.get(i).code()).isEqualTo("NOT_FOUND");
        default -> {}
      }
    }
  }

  @Test
  void statsCountJobsPerQueueAndState() {
    Queue q = queue(newTenant());
    q.enqueueAll(
        List.of(
            job("s1", 1),
            job("s1", 2),
            job("s1", 3),
            job("s1", 4).withRunAt(clock.instant().plusSeconds(60)),
            job("s2", 1)));
    Lease a = q.lease("s1", 1, VIS).get(0);
    Lease b = q.lease("s1", 1, VIS).get(0);
    q.ack(a.jobId(), a.token());
    assertThat(b).isNotNull();
    var s1 = stats(q, "s1");
    assertThat(s1.ready()).isEqualTo(1);
    assertThat(s1.delayed()).isEqualTo(1);
    assertThat(s1.leased()).isEqualTo(1);
    assertThat(s1.succeeded()).isEqualTo(1);
    assertThat(s1.depth()).isEqualTo(3);
    assertThat(q.stats()).extracting(s -> s.queue()).containsExactly("s1", "s2");
  }

  @Test
  void listReturnsAQueuesJobsNewestFirstByStatusAndTypeAPageAtATime() {
    Queue q = queue(newTenant());
    List<Job> jobs =
        q
            .enqueueAll(
                List.of(
                    job("l1", 1),
                    NewJob.of("l1", "other", null),
                    job("l1", 3).withMaxAttempts(1),
                    job("l1", 4),
                    job("l2", 1)))
            .stream()
            .map(Recorded::value)
            .toList();
    Lease first = q.lease("l1", 1, VIS).get(0);
    q.ack(first.jobId(), first.token());
    Lease second = q.lease("l1", 1, VIS).get(0);
    Lease third = q.lease("l1", 1, VIS).get(0);
    q.nack(third.jobId(), third.token(), "boom", null);

    assertThat(q.list(JobQuery.of("l1", 10)))
        .extracting(Job::jobId)
        .containsExactly(
            jobs.get(3).jobId(), jobs.get(2).jobId(), jobs.get(1).jobId(), jobs.get(0).jobId());
    assertThat(q.list(new JobQuery("l1", Job.Status.SUCCEEDED, null, 0, 10)))
        .extracting(Job::jobId)
        .containsExactly(first.jobId());
    assertThat(q.list(new JobQuery("l1", Job.Status.LEASED, null, 0, 10)))
        .extracting(Job::jobId)
        .containsExactly(second.jobId());
    assertThat(q.list(new JobQuery("l1", Job.Status.FAILED, null, 0, 10)))
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.jobId()).isEqualTo(third.jobId());
              assertThat(j.lastError()).isEqualTo("boom");
            });
    assertThat(q.list(new JobQuery("l1", null, "other", 0, 10)))
        .extracting(Job::jobId)
        .containsExactly(jobs.get(1).jobId());
    List<Job> page1 = q.list(JobQuery.of("l1", 2));
    assertThat(page1).hasSize(2);
    List<Job> page2 = q.list(new JobQuery("l1", null, null, page1.get(1).seq(), 2));
    assertThat(page2)
        .extracting(Job::jobId)
        .containsExactly(jobs.get(1).jobId(), jobs.get(0).jobId());
    assertThat(q.list(JobQuery.of("nothing-here", 10))).isEmpty();
    // another tenant sees none of them
    assertThat(queue(newTenant()).list(JobQuery.of("l1", 10))).isEmpty();
    assertCode(() -> JobQuery.of("bad name!", 10), ErrorCode.INVALID_ID);
    assertCode(() -> JobQuery.of("l1", 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new JobQuery("l1", null, "bad type!", 0, 10), ErrorCode.INVALID_ID);
    assertCode(() -> new JobQuery("l1", null, null, -1, 10), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void anEnqueueInsideARolledBackTransactionLeavesNothing() {
    TenantId tenant = newTenant();
    assertCode(
        () ->
            fs.inTransaction(
                tenant,
                tx -> {
                  tx.queue().enqueue(job("tx", 1));
                  tx.queue().enqueue(job("tx", 2).withUniqueKey("k"));
                  throw new dev.flowstore.FlowstoreException(ErrorCode.UNPROCESSABLE, "abort");
                }),
        ErrorCode.UNPROCESSABLE);
    assertThat(queue(tenant).stats()).isEmpty();
    assertThat(queue(tenant).lease("tx", 10, VIS)).isEmpty();
    Job committed = fs.inTransaction(tenant, tx -> tx.queue().enqueue(job("tx", 3)).value());
    assertThat(queue(tenant).lease("tx", 10, VIS))
        .extracting(Lease::jobId)
        .containsExactly(committed.jobId());
  }
}
