package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt.Outcome;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.Faults.InjectedFault;
import dev.flowstore.internal.Faults.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The DLQ state machine {@code dlq_pending -> dlq_recorded -> failed} (with simulated crashes
 * between its steps) and the dead-letter queue API: every queue backend subclasses this.
 */
public abstract class QueueDlqContract extends QueueTestSupport {
  private static final Duration VIS = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    Faults.clear();
  }

  /** Leases and nacks until the last attempt's nack, which returns the job's state after it. */
  private static Job failEveryAttempt(Queue q, String queue, UUID jobId, int attempts) {
    Job last = null;
    for (int i = 1; i <= attempts; i++) {
      Lease l = q.lease(queue, 1, VIS).get(0);
      assertThat(l.jobId()).isEqualTo(jobId);
      last = q.nack(l.jobId(), l.token(), "failure " + i, Duration.ZERO);
    }
    return last;
  }

  /** The last attempt's nack, with a crash armed at {@code point}. */
  private static void crashOnLastNack(Queue q, String queue, UUID jobId, Point point) {
    Lease l = q.lease(queue, 1, VIS).get(0);
    assertThat(l.jobId()).isEqualTo(jobId);
    Faults.arm(point);
    assertThatThrownBy(() -> q.nack(l.jobId(), l.token(), "last failure", null))
        .isInstanceOf(InjectedFault.class);
  }

  private void assertDeadLetteredOnce(TenantId tenant, Queue q, UUID jobId) {
    JobDetail d = q.get(jobId).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.FAILED);
    assertThat(d.job().finishedAt()).isNotNull();
    assertThat(d.deadLetter()).isNotNull();
    assertThat(q.deadLetters().list(d.job().queue(), null, 100))
        .filteredOn(i -> i.jobId().equals(jobId))
        .hasSize(1);
    assertThat(audit(tenant, jobId, "job.dead_lettered")).hasSize(1);
    assertThat(fs.audit(tenant).verify().ok()).isTrue();
  }

  @Test
  void afterMaxAttemptsAJobIsDeadLetteredWithItsItemAndAnAuditEntry() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("dl", 1).withMaxAttempts(3).withTraceId("tr-9")).value();
    Job after = failEveryAttempt(q, "dl", job.jobId(), 3);
    assertThat(after.status()).isEqualTo(Job.Status.FAILED);
    assertDeadLetteredOnce(tenant, q, job.jobId());
    JobDetail d = q.get(job.jobId()).orElseThrow();
    assertThat(d.attempts())
        .extracting(a -> a.error())
        .containsExactly("failure 1", "failure 2", "failure 3");
    DlqItem item = d.deadLetter();
    assertThat(item.attempts()).isEqualTo(3);
    assertThat(item.lastError()).isEqualTo("failure 3");
    assertThat(item.messageId()).isEqualTo(job.messageId());
    assertThat(item.payload()).isEqualTo(job.payload());
    assertThat(audit(tenant, job.jobId(), "job.dead_lettered").get(0).traceId()).isEqualTo("tr-9");
    assertThat(q.lease("dl", 1, VIS)).isEmpty();
    assertThat(stats(q, "dl").failed()).isEqualTo(1);
  }

  @Test
  void aCrashAfterDlqPendingCommittedIsFinishedByRecoveryExactlyOnce() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("c1", 1).withMaxAttempts(1)).value();
    crashOnLastNack(q, "c1", job.jobId(), Point.DLQ_PENDING_COMMITTED);
    JobDetail d = q.get(job.jobId()).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.DLQ_PENDING);
    assertThat(d.deadLetter()).isNull();
    assertThat(audit(tenant, job.jobId(), "job.dead_lettered")).isEmpty();
    assertThat(stats(q, "c1").dlqPending()).isEqualTo(1);
    assertThat(q.lease("c1", 1, VIS)).as("not lost, not leasable").isEmpty();
    assertThat(q.recoverDlq()).isEqualTo(1);
    assertDeadLetteredOnce(tenant, q, job.jobId());
    assertThat(q.recoverDlq()).isZero();
    assertDeadLetteredOnce(tenant, q, job.jobId());
  }

  @Test
  void aCrashInsideTheRecordStepRollsBackTheItemAndTheAuditEntryTogether() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("c2", 1).withMaxAttempts(1)).value();
    crashOnLastNack(q, "c2", job.jobId(), Point.DLQ_RECORD_BEFORE_COMMIT);
    JobDetail d = q.get(job.jobId()).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.DLQ_PENDING);
    assertThat(d.deadLetter()).isNull();
    assertThat(audit(tenant, job.jobId(), "job.dead_lettered")).isEmpty();
    assertThat(q.recoverDlq()).isEqualTo(1);
    assertDeadLetteredOnce(tenant, q, job.jobId());
  }

  @Test
  void aCrashAfterDlqRecordedKeepsTheOrderAndRecoveryOnlyFinishesIt() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("c3", 1).withMaxAttempts(1)).value();
    crashOnLastNack(q, "c3", job.jobId(), Point.DLQ_RECORDED_COMMITTED);
    JobDetail d = q.get(job.jobId()).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.DLQ_RECORDED);
    assertThat(d.deadLetter()).as("the item is written with dlq_recorded").isNotNull();
    assertThat(audit(tenant, job.jobId(), "job.dead_lettered")).hasSize(1);
    assertThat(stats(q, "c3").dlqRecorded()).isEqualTo(1);
    assertThat(q.recoverDlq()).isEqualTo(1);
    assertDeadLetteredOnce(tenant, q, job.jobId());
    assertThat(q.recoverDlq()).isZero();
  }

  @Test
  void concurrentRecoveriesWriteEachItemAndAuditEntryOnce() throws Exception {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Job job = q.enqueue(job("c4", i).withMaxAttempts(1)).value();
      crashOnLastNack(q, "c4", job.jobId(), Point.DLQ_PENDING_COMMITTED);
      ids.add(job.jobId());
    }
    var out = Concurrently.race(4, i -> queue(tenant).recoverDlq());
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out.stream().mapToInt(o -> o.value()).sum()).isEqualTo(ids.size());
    for (UUID id : ids) assertDeadLetteredOnce(tenant, q, id);
  }

  @Test
  void anExpiredLeaseOnTheLastAttemptIsDeadLetteredByTheReaper() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("c5", 1).withMaxAttempts(1)).value();
    q.lease("c5", 1, Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(6));
    assertThat(q.lease("c5", 1, VIS)).as("no attempts left: not redelivered").isEmpty();
    assertThat(q.releaseExpired()).isEqualTo(1);
    assertDeadLetteredOnce(tenant, q, job.jobId());
    assertThat(q.get(job.jobId()).orElseThrow().attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.EXPIRED));
  }

  @Test
  void anExpiredLastAttemptOfATenantThatOnlyEverUsedTheQueueIsDeadLetteredByTheSweep() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    Job job = q.enqueue(job("c6", 1).withMaxAttempts(2).withTraceId("tr-6")).value();
    q.lease("c6", 1, Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(6));
    Lease last = q.lease("c6", 1, Duration.ofSeconds(5)).get(0);
    assertThat(last.message().attempt()).as("redelivered: its last attempt").isEqualTo(2);
    clock.advance(Duration.ofSeconds(6));
    assertThat(q.lease("c6", 1, VIS)).as("no attempts left: not redelivered").isEmpty();
    sweepQueues();
    assertDeadLetteredOnce(tenant, q, job.jobId());
    JobDetail d = q.get(job.jobId()).orElseThrow();
    assertThat(d.job().lastError()).isEqualTo("lease expired");
    assertThat(d.deadLetter().lastError()).isEqualTo("lease expired");
    assertThat(d.deadLetter().attempts()).isEqualTo(2);
    assertThat(d.attempts())
        .extracting(a -> a.outcome(), a -> a.error())
        .containsExactly(
            tuple(Outcome.EXPIRED, "lease expired"), tuple(Outcome.EXPIRED, "lease expired"));
    assertThat(audit(tenant, job.jobId(), "job.dead_lettered").get(0).traceId()).isEqualTo("tr-6");
    assertCode(() -> q.ack(last.jobId(), last.token()), ErrorCode.LEASE_LOST);
    assertThat(stats(q, "c6").leased()).isZero();
    assertThat(stats(q, "c6").failed()).isEqualTo(1);
    sweepQueues();
    assertDeadLetteredOnce(tenant, q, job.jobId());
  }

  private List<UUID> deadJobs(Queue q, String queue, int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Job job = q.enqueue(job(queue, i).withMaxAttempts(1)).value();
      failEveryAttempt(q, queue, job.jobId(), 1);
      ids.add(job.jobId());
      clock.advance(Duration.ofMillis(1));
    }
    return ids;
  }

  @Test
  void theDlqIsListedInPagesAndInspectedWithAttemptHistory() {
    Queue q = queue(newTenant());
    List<UUID> a = deadJobs(q, "qa", 3);
    List<UUID> b = deadJobs(q, "qb", 2);
    DeadLetters dlq = q.deadLetters();
    List<DlqItem> page1 = dlq.list(null, null, 2);
    List<DlqItem> page2 = dlq.list(null, page1.get(1).jobId(), 2);
    List<DlqItem> page3 = dlq.list(null, page2.get(1).jobId(), 2);
    List<UUID> all = new ArrayList<>();
    for (List<DlqItem> p : List.of(page1, page2, page3)) p.forEach(i -> all.add(i.jobId()));
    List<UUID> expected = new ArrayList<>(a);
    expected.addAll(b);
    assertThat(all).containsExactlyElementsOf(expected);
    assertThat(dlq.list("qb", null, 10)).extracting(DlqItem::jobId).containsExactlyElementsOf(b);
    JobDetail d = dlq.inspect(a.get(0)).orElseThrow();
    assertThat(d.attempts())
        .singleElement()
        .satisfies(x -> assertThat(x.error()).isEqualTo("failure 1"));
    assertCode(() -> dlq.list(null, UUID.randomUUID(), 10), ErrorCode.NOT_FOUND);
    assertCode(() -> dlq.list(null, null, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> dlq.list("bad/queue", null, 10), ErrorCode.INVALID_ID);
    Job live = q.enqueue(job("qa", 99)).value();
    assertThat(dlq.inspect(live.jobId())).isEmpty();
  }

  @Test
  void aRedriveReturnsTheJobToItsQueueWithAttemptsResetAndANewMessageId() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    UUID id = deadJobs(q, "rd", 1).get(0);
    Job dead = q.get(id).orElseThrow().job();
    Job back = q.deadLetters().redrive(id);
    assertThat(back.status()).isEqualTo(Job.Status.QUEUED);
    assertThat(back.attempt()).isZero();
    assertThat(back.messageId()).isNotEqualTo(dead.messageId());
    assertThat(back.finishedAt()).isNull();
    assertThat(q.deadLetters().inspect(id)).isEmpty();
    assertThat(audit(tenant, id, "job.redriven")).hasSize(1);
    Lease l = q.lease("rd", 1, VIS).get(0);
    assertThat(l.jobId()).isEqualTo(id);
    assertThat(l.message().attempt()).isEqualTo(1);
    assertThat(l.token()).isGreaterThan(dead.leaseToken());
    q.ack(l.jobId(), l.token());
    assertThat(q.get(id).orElseThrow().attempts()).hasSize(2);
    assertCode(() -> q.deadLetters().redrive(id), ErrorCode.NOT_FOUND);
    assertCode(() -> queue(newTenant()).deadLetters().redrive(id), ErrorCode.NOT_FOUND);
  }

  @Test
  void aRedriveIsRefusedWhileAnActiveJobHoldsItsUniqueKey() {
    Queue q = queue(newTenant());
    Job job = q.enqueue(job("uk", 1).withMaxAttempts(1).withUniqueKey("k")).value();
    failEveryAttempt(q, "uk", job.jobId(), 1);
    Job newer = q.enqueue(job("uk", 2).withUniqueKey("k")).value();
    assertThat(newer.jobId()).isNotEqualTo(job.jobId());
    assertCode(() -> q.deadLetters().redrive(job.jobId()), ErrorCode.UNPROCESSABLE);
    assertThat(q.deadLetters().inspect(job.jobId())).isPresent();
  }

  @Test
  void purgeDeletesDeadLetteredJobsWithTheirHistory() {
    TenantId tenant = newTenant();
    Queue q = queue(tenant);
    List<UUID> ids = deadJobs(q, "pg", 3);
    q.deadLetters().purge(ids.get(0));
    assertThat(q.get(ids.get(0))).isEmpty();
    assertThat(audit(tenant, ids.get(0), "job.purged")).hasSize(1);
    assertCode(() -> q.deadLetters().purge(ids.get(0)), ErrorCode.NOT_FOUND);
    assertCode(() -> queue(newTenant()).deadLetters().purge(ids.get(1)), ErrorCode.NOT_FOUND);
    Job live = q.enqueue(job("pg", 9)).value();
    assertCode(() -> q.deadLetters().purge(live.jobId()), ErrorCode.NOT_FOUND);
    assertThat(q.deadLetters().purgeQueue("pg")).isEqualTo(2);
    assertThat(q.deadLetters().list("pg", null, 10)).isEmpty();
    assertThat(q.get(live.jobId())).isPresent();
    assertThat(fs.audit(tenant).verify().ok()).isTrue();
  }
}
