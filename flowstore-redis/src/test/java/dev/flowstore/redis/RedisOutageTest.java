package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import dev.flowstore.Worker;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.Faults.InjectedFault;
import dev.flowstore.testkit.FlowstoreTestBase;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away under a running store: on a redis-server of this class's own with AOF and {@code
 * appendfsync always}, killed with SIGKILL and started again.
 */
class RedisOutageTest extends FlowstoreTestBase {
  private static final Duration VIS = Duration.ofSeconds(30);
  private RedisProcess redis;

  @Override
  protected FlowstoreConfig config() {
    redis = new RedisProcess(true).start();
    try {
      return FlowstoreConfig.fromMap(
          Map.of(
              "FLOWSTORE_DATA_DIR",
              Files.createTempDirectory("flowstore-test-").toString(),
              "FLOWSTORE_QUEUE_BACKEND",
              "redis",
              "REDIS_DSN",
              redis.dsn()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  void stopRedis() {
    redis.close();
  }

  @AfterEach
  void disarm() {
    Faults.clear();
  }

  private static NewJob job(String queue, int n) {
    return NewJob.of(queue, "work", JsonNodeFactory.instance.objectNode().put("n", n));
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  private void restartAndWaitReady() {
    redis.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              fs.checkReady();
              return true;
            });
  }

  @Test
  void operationsFailFastWhileRedisIsDownAndRecoverByThemselvesWithoutKillingTheWorker() {
    Queue q = fs.queue(newTenant());
    AtomicInteger ran = new AtomicInteger();
    try (Worker w =
        q.worker("out", l -> ran.incrementAndGet()).pollInterval(Duration.ofMillis(50)).start()) {
      q.enqueue(job("out", 1));
      await().atMost(Duration.ofSeconds(30)).until(() -> ran.get() == 1);
      redis.kill();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  q.enqueue(job("out", 2));
                  return false;
                } catch (FlowstoreException e) {
                  return e.code() == ErrorCode.BACKEND_UNAVAILABLE;
                }
              });
      assertCode(fs::checkReady, ErrorCode.BACKEND_UNAVAILABLE);
      assertCode(() -> q.lease("out", 1, VIS), ErrorCode.BACKEND_UNAVAILABLE);
      restartAndWaitReady();
      q.enqueue(job("out", 3));
      await().atMost(Duration.ofSeconds(30)).until(() -> ran.get() >= 2);
      assertThat(w.isRunning()).isTrue();
    }
  }

  @Test
  void withAofAlwaysAcknowledgedWritesSurviveAKill9() {
    Queue q = fs.queue(newTenant());
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) ids.add(q.enqueue(job("aof", i)).value().jobId());
    List<Lease> leases = q.lease("aof", 10, VIS);
    for (Lease l : leases.subList(0, 5)) q.ack(l.jobId(), l.token());
    QueueStats before = q.stats().get(0);
    redis.kill();
    restartAndWaitReady();
    assertThat(q.stats()).containsExactly(before);
    assertThat(before.ready()).isEqualTo(40);
    assertThat(before.leased()).isEqualTo(5);
    assertThat(before.succeeded()).isEqualTo(5);
    for (UUID id : ids) assertThat(q.get(id)).isPresent();
    Lease held = leases.get(9);
    assertThat(q.ack(held.jobId(), held.token()).status()).isEqualTo(Job.Status.SUCCEEDED);
  }

  @Test
  void theDlqOrderHoldsWhenRedisFailsBetweenSteps() {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    UUID id = q.enqueue(job("dlq", 1).withMaxAttempts(1)).value().jobId();
    Lease l = q.lease("dlq", 1, VIS).get(0);
    Faults.arm(Faults.Point.DLQ_PENDING_COMMITTED);
    assertThatThrownBy(() -> q.nack(l.jobId(), l.token(), "boom", null))
        .isInstanceOf(InjectedFault.class);
    redis.kill();
    assertCode(q::recoverDlq, ErrorCode.BACKEND_UNAVAILABLE);
    assertThat(deadLettered(tenant, id)).as("nothing recorded while Redis is down").isZero();
    restartAndWaitReady();
    assertThat(q.get(id).orElseThrow().job().status()).isEqualTo(Job.Status.DLQ_PENDING);
    assertThat(q.recoverDlq()).isEqualTo(1);
    assertThat(q.recoverDlq()).isZero();
    JobDetail d = q.get(id).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.FAILED);
    assertThat(d.deadLetter()).isNotNull();
    assertThat(deadLettered(tenant, id)).isEqualTo(1);
  }

  @Test
  void aCrashBetweenTheSqlCommitAndTheRedisMarkIsFinishedWithoutASecondAuditEntry() {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    UUID id = q.enqueue(job("mid", 1).withMaxAttempts(1)).value().jobId();
    Lease l = q.lease("mid", 1, VIS).get(0);
    Faults.arm(Faults.Point.DLQ_RECORD_COMMITTED);
    assertThatThrownBy(() -> q.nack(l.jobId(), l.token(), "boom", null))
        .isInstanceOf(InjectedFault.class);
    JobDetail d = q.get(id).orElseThrow();
    assertThat(d.job().status()).isEqualTo(Job.Status.DLQ_PENDING);
    assertThat(d.deadLetter()).as("the SQL step committed").isNotNull();
    assertThat(deadLettered(tenant, id)).isEqualTo(1);
    assertThat(q.recoverDlq()).isEqualTo(1);
    assertThat(q.get(id).orElseThrow().job().status()).isEqualTo(Job.Status.FAILED);
    assertThat(deadLettered(tenant, id)).as("written once").isEqualTo(1);
    assertThat(fs.audit(tenant).verify().ok()).isTrue();
  }

  private long deadLettered(TenantId tenant, UUID id) {
    return fs
        .audit(tenant)
        .list(new AuditLog.Query("job", id.toString(), null, null, 0, 100))
        .stream()
        .filter(e -> e.action().equals("job.dead_lettered"))
        .count();
  }
}
