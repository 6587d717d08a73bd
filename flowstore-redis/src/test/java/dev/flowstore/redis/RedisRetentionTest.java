package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.RetentionContract;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The RetentionContract on the Redis queue (the outbox half runs on the SQL store, SQLite), in
 * Redis database 13 (shared with RedisKeysTest: tests of one class run one at a time, and each
 * works on tenants of its own). Plus what only Redis has: the purged jobs' keys are really gone
 * from Redis (SCAN), the succeeded index and counts follow, and a layout-1 store (succeeded jobs in
 * a set per queue, kept forever) is moved to the retention index when a backend opens.
 */
class RedisRetentionTest extends RetentionContract {
  private static final int DB = 13;
  private static final Duration VIS = Duration.ofSeconds(30);

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }

  private static String prefix(TenantId t) {
    return "flowstore:default:{" + t.value() + "}:";
  }

  private static void redis(Consumer<RedisCommands<String, String>> work) {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      work.accept(c.sync());
    } finally {
      client.shutdown();
    }
  }

  /**
   * Attempt records of the tenant in Redis: the entries of every {@code #att:<id>} list, plus the
   * newest attempt of each job that has one, which its hash holds ({@code att_tail}: LEASED, or a
   * {@code last_outcome}).
   */
  @Override
  protected OptionalLong storedAttempts(TenantId tenant) {
    long[] n = {0};
    List<String> lists = RedisTestKeys.scan(DB, prefix(tenant) + "#att:*");
    List<String> jobs = RedisTestKeys.scan(DB, prefix(tenant) + "#job:*");
    redis(
        r -> {
          for (String k : lists) n[0] += r.llen(k);
          for (String k : jobs) {
            Map<String, String> h = r.hgetall(k);
            if ("1".equals(h.get("att_tail"))
                && ("leased".equals(h.get("status"))
                    || !h.getOrDefault("last_outcome", "").isEmpty())) n[0]++;
          }
        });
    return OptionalLong.of(n[0]);
  }

  private static NewJob job(String queue, int n) {
    return NewJob.of(queue, "work", JsonNodeFactory.instance.objectNode().put("n", n));
  }

  private static List<UUID> succeed(Queue q, String queue, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) jobs.add(job(queue, i));
    q.enqueueAll(jobs);
    List<UUID> ids = new ArrayList<>();
    for (Lease l : q.lease(queue, n, VIS)) {
      q.ack(l.jobId(), l.token());
      ids.add(l.jobId());
    }
    assertThat(ids).hasSize(n);
    return ids;
  }

  private static long succeeded(Queue q, String queue) {
    return q.stats().stream()
        .filter(s -> s.queue().equals(queue))
        .mapToLong(QueueStats::succeeded)
        .findFirst()
        .orElse(0);
  }

  @Test
  void purgedJobsLeaveNoKeyBehindAndTheIndexAndCountsFollow() {
    TenantId t = newTenant();
    TenantId other = newTenant();
    Queue q = fs.queue(t);
    String p = prefix(t);
    List<UUID> old = succeed(q, "a", 3);
    // one with a second attempt: its first one is in a list #att:<id>
    UUID retried = q.enqueue(job("b", 0)).value().jobId();
    q.nack(retried, q.lease("b", 1, VIS).get(0).token(), "once", Duration.ZERO);
    q.ack(retried, q.lease("b", 1, VIS).get(0).token());
    old.add(retried);
    old.addAll(succeed(q, "b", 1));
    assertThat(RedisTestKeys.scan(DB, p + "#att:" + retried)).hasSize(1);
    assertThat(q.get(retried).orElseThrow().attempts()).hasSize(2);
    List<UUID> theirs = succeed(fs.queue(other), "a", 2);
    clock.advance(Duration.ofMinutes(5));
    Instant cutoff = clock.instant();
    List<UUID> recent = succeed(q, "a", 1);
    UUID queued = q.enqueue(job("a", 9).withUniqueKey("live")).value().jobId();
    for (UUID id : old) assertThat(RedisTestKeys.scan(DB, p + "#job:" + id)).hasSize(1);

    assertThat(q.purgeSucceeded(cutoff, 4)).isEqualTo(4);
    assertThat(q.purgeSucceeded(cutoff, 4)).isEqualTo(1);
    assertThat(q.purgeSucceeded(cutoff, 4)).isZero();

    for (UUID id : old)
      assertThat(RedisTestKeys.scan(DB, "*" + id + "*")).as("keys of " + id).isEmpty();
    for (UUID id : recent) assertThat(RedisTestKeys.scan(DB, p + "#job:" + id)).hasSize(1);
    assertThat(RedisTestKeys.scan(DB, p + "#job:*")).hasSize(2); // recent + queued
    assertThat(RedisTestKeys.scan(DB, p + "#att:*")).isEmpty();
    assertThat(RedisTestKeys.scan(DB, p + "b:*")).isEmpty();
    redis(
        r -> {
          assertThat(r.zrange(p + "#succeeded", 0, -1)).containsExactly(recent.get(0).toString());
          assertThat(r.hgetall(p + "#succeeded_n")).isEqualTo(Map.of("a", "1"));
          assertThat(r.hgetall(p + "a:uniq")).isEqualTo(Map.of("live", queued.toString()));
          assertThat(r.zcard(prefix(other) + "#succeeded")).isEqualTo(2);
        });
    assertThat(succeeded(q, "a")).isEqualTo(1);
    assertThat(succeeded(q, "b")).isZero();
    assertThat(q.stats()).extracting(QueueStats::queue).containsExactly("a");
    assertThat(q.stats().get(0).ready()).isEqualTo(1);
    assertThat(succeeded(fs.queue(other), "a")).isEqualTo(2);
    for (UUID id : theirs)
      assertThat(fs.queue(other).get(id).orElseThrow().job().status())
          .isEqualTo(Job.Status.SUCCEEDED);
  }

  @Test
  void aStoreOfDataLayoutOneIsMovedToTheRetentionIndexWhenABackendOpens() {
    TenantId t = newTenant();
    Queue q = fs.queue(t);
    String p = prefix(t);
    List<UUID> ids = succeed(q, "legacy", 3);
    Instant finished = q.get(ids.get(2)).orElseThrow().job().finishedAt();
    // what layout 1 wrote: the ids in a set per queue, no index, no count
    redis(
        r -> {
          r.del(p + "#succeeded", p + "#succeeded_n", "flowstore:default:layout");
          r.sadd(p + "legacy:succeeded", ids.stream().map(UUID::toString).toArray(String[]::new));
        });
    try (Flowstore second = Flowstore.open(config(), clock)) {
      Queue q2 = second.queue(t);
      assertThat(succeeded(q2, "legacy")).isEqualTo(3);
      redis(
          r -> {
            assertThat(r.exists(p + "legacy:succeeded")).isZero();
            assertThat(r.get("flowstore:default:layout")).isEqualTo("2");
            assertThat(r.zscore(p + "#succeeded", ids.get(2).toString()))
                .isEqualTo(
                    (double) (finished.getEpochSecond() * 1_000_000L + finished.getNano() / 1000));
          });
      assertThat(q2.purgeSucceeded(finished, 10)).isEqualTo(2);
      assertThat(q2.get(ids.get(2))).isPresent();
      assertThat(succeeded(q2, "legacy")).isEqualTo(1);
    }
  }

  @Test
  void aJobLeasedUnderDataLayoutOneKeepsItsWholeAttemptHistory() {
    TenantId t = newTenant();
    Queue q = fs.queue(t);
    String p = prefix(t);
    UUID id = q.enqueue(job("old", 1)).value().jobId();
    Lease first = q.lease("old", 1, VIS).get(0);
    // what layout 1 stored for a leased job: no att_tail, the open attempt as the list's last entry
    redis(
        r -> {
          Map<String, String> h = r.hgetall(p + "#job:" + id);
          r.hdel(p + "#job:" + id, "att_tail", "last_outcome");
          r.rpush(p + "#att:" + id, "1|" + first.token() + "|leased|" + h.get("leased_at") + "||");
        });
    assertThat(q.get(id).orElseThrow().attempts())
        .extracting(JobAttempt::outcome)
        .containsExactly(JobAttempt.Outcome.LEASED);
    q.nack(id, first.token(), "boom", Duration.ZERO);
    Lease second = q.lease("old", 1, VIS).get(0);
    assertThat(q.get(id).orElseThrow().attempts())
        .extracting(JobAttempt::outcome)
        .containsExactly(JobAttempt.Outcome.FAILED, JobAttempt.Outcome.LEASED);
    q.ack(id, second.token());
    assertThat(q.lease("old", 1, VIS)).isEmpty();
    List<JobAttempt> history = q.get(id).orElseThrow().attempts();
    assertThat(history)
        .extracting(JobAttempt::attempt, JobAttempt::token, JobAttempt::outcome, JobAttempt::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                1, first.token(), JobAttempt.Outcome.FAILED, "boom"),
            org.assertj.core.groups.Tuple.tuple(
                2, second.token(), JobAttempt.Outcome.SUCCEEDED, null));
    assertThat(history).allSatisfy(a -> assertThat(a.finishedAt()).isNotNull());
  }
}
