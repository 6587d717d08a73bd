package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code flowstore copy} / {@code compare} with the queue on Redis on either side
 * (docs/switching.md "The Redis queue"): every direction between the SQL queue and the Redis queue,
 * with SQLite and PostgreSQL stores, jobs in every state (queued, delayed, leased with its token
 * and expiry, succeeded, dead-lettered with its DLQ item and audit entry), then both deployments
 * driven the same way afterwards must deliver the same jobs in the same order with the same tokens;
 * an interrupted copy resumed; a corrupted and a deleted job named by compare. Redis database 2,
 * keys under an environment name of each deployment's own (deleted at the end, nothing else).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisQueueSwitchTest {
  private static final int DB = 2;
  private static final Duration VIS = Duration.ofMinutes(10);

  private final SettableClock clock = new SettableClock();
  private final List<Flowstore> open = new ArrayList<>();
  private final List<String> envs = new ArrayList<>();

  private enum Kind {
    SQLITE,
    POSTGRES,
    SQLITE_REDIS,
    POSTGRES_REDIS
  }

  private Flowstore open(Kind kind) {
    Map<String, String> m = new HashMap<>();
    switch (kind) {
      case SQLITE, SQLITE_REDIS -> {
        m.put("FLOWSTORE_STORE_BACKEND", "sqlite");
        m.put("FLOWSTORE_DATA_DIR", tempDir());
      }
      case POSTGRES, POSTGRES_REDIS -> {
        m.put("FLOWSTORE_STORE_BACKEND", "postgres");
        m.put("POSTGRES_DSN", TestBackends.postgresDsn());
        m.put(
            "POSTGRES_SCHEMA",
            "t_qs" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36));
        m.put("POSTGRES_POOL_MAX", "4");
      }
    }
    if (kind == Kind.SQLITE_REDIS || kind == Kind.POSTGRES_REDIS) {
      String env =
          "qs" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
      envs.add(env);
      m.put("FLOWSTORE_QUEUE_BACKEND", "redis");
      m.put("REDIS_DSN", TestBackends.redisDsn(DB));
      m.put("FLOWSTORE_ENV", env);
    }
    Flowstore f = Flowstore.open(FlowstoreConfig.fromMap(m), clock);
    open.add(f);
    return f;
  }

  @BeforeEach
  void startClock() {
    clock.set(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @AfterEach
  void closeAll() {
    for (Flowstore f : open) {
      f.close();
      TestBackends.drop(f.config());
    }
    open.clear();
  }

  @AfterAll
  void deleteKeys() {
    for (String env : envs) RedisTestKeys.deleteMatching(DB, "flowstore:" + env + ":*");
  }

  /** The jobs of one scenario, by what they are at the time of the copy. */
  private record Scenario(
      UUID succeeded,
      UUID failed,
      UUID leased,
      long leasedToken,
      UUID retried,
      UUID unique,
      UUID delayed,
      UUID other) {}

  private static NewJob job(String queue, int n) {
    return NewJob.of(
        queue, "work", JsonNodeFactory.instance.objectNode().put("n", n).put("x", 1.50));
  }

  /** Jobs in every state in queues alpha and beta of {@code tenant}. */
  private Scenario fill(Flowstore f, TenantId tenant) {
    Queue q = f.queue(tenant);
    UUID a = q.enqueue(job("alpha", 1).withPriority(9)).value().jobId();
    UUID b = q.enqueue(job("alpha", 2).withPriority(8).withMaxAttempts(1)).value().jobId();
    UUID d = q.enqueue(job("alpha", 3).withPriority(6).withTraceId("trace-d")).value().jobId();
    UUID c = q.enqueue(job("alpha", 4).withPriority(1).withMaxAttempts(3)).value().jobId();
    UUID e = q.enqueue(job("alpha", 5).withUniqueKey("u-e")).value().jobId();
    UUID late =
        q.enqueue(job("alpha", 6).withRunAt(clock.instant().plus(Duration.ofHours(1))))
            .value()
            .jobId();
    UUID g = q.enqueue(job("beta", 7).withEventId(UUID.randomUUID())).value().jobId();
    clock.advance(Duration.ofSeconds(1));
    assertThat(lease(q, "alpha").jobId()).isEqualTo(a);
    q.ack(a, lease(q, "alpha", a));
    Lease lb = q.lease("alpha", 1, VIS).get(0);
    assertThat(lb.jobId()).isEqualTo(b);
    q.nack(b, lb.token(), "boom", null);
    Lease ld = q.lease("alpha", 1, VIS).get(0);
    assertThat(ld.jobId()).isEqualTo(d);
    Lease lc = q.lease("alpha", 1, VIS).get(0);
    assertThat(lc.jobId()).isEqualTo(c);
    q.nack(c, lc.token(), "retry me", Duration.ZERO);
    Lease lc2 = q.lease("alpha", 1, VIS).get(0);
    assertThat(lc2.jobId()).isEqualTo(c);
    q.release(c, lc2.token());
    clock.advance(Duration.ofSeconds(1));
    return new Scenario(a, b, d, ld.token(), c, e, late, g);
  }

  private Lease lease(Queue q, String queue) {
    return q.lease(queue, 1, VIS).get(0);
  }

  private long lease(Queue q, String queue, UUID expected) {
    // the job just leased by lease(q, queue): its token is the job's
    return q.get(expected).orElseThrow().job().leaseToken();
  }

  private static BackendSwitch.CopySummary copy(Flowstore from, Flowstore to, CopyOptions o) {
    return BackendSwitch.find(from, to).copy(from, to, o, p -> {}, Clock.systemUTC());
  }

  private static Comparison compare(Flowstore a, Flowstore b) {
    return BackendSwitch.find(a, b).compare(a, b, 10);
  }

  private static List<QueueStats> stats(Flowstore f, TenantId t) {
    return f.queue(t).stats().stream().sorted(Comparator.comparing(QueueStats::queue)).toList();
  }

  /** What a deployment delivers from here on, the same steps on each: ids and tokens in order. */
  private List<String> drive(Flowstore f, TenantId t, Scenario s) {
    Queue q = f.queue(t);
    List<String> seen = new ArrayList<>();
    for (Lease l : q.lease("alpha", 10, VIS)) seen.add(l.jobId() + "#" + l.token());
    for (Lease l : q.lease("beta", 10, VIS)) seen.add(l.jobId() + "#" + l.token());
    return seen;
  }

  private void copiedAndServedAlike(Kind from, Kind to, boolean backAgain) {
    Flowstore source = open(from);
    TenantId tenant = TenantId.of("acme");
    Scenario s = fill(source, tenant);
    Flowstore target = open(to);
    BackendSwitch.CopySummary summary = copy(source, target, new CopyOptions(false, 3));
    assertThat(summary.alreadyComplete()).isFalse();
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
    assertThat(c.tables())
        .filteredOn(t -> t.table().equals("jobs") && t.tenant().equals("acme"))
        .singleElement()
        .satisfies(t -> assertThat(t.countA()).isEqualTo(7));
    assertThat(stats(target, tenant)).isEqualTo(stats(source, tenant));
    assertThat(target.queue(tenant).deadLetters().list(null, null, 10))
        .extracting(DlqItem::jobId)
        .containsExactly(s.failed());
    Flowstore check = target;
    if (backAgain) {
      // and back: the round trip lands where it started
      Flowstore again = open(from);
      copy(target, again, new CopyOptions(false, 2));
      Comparison c2 = compare(source, again);
      assertThat(c2.equal()).as("%s", c2).isTrue();
      check = again;
    }
    // the unique key is still held by its active job
    assertThat(check.queue(tenant).enqueue(job("alpha", 99).withUniqueKey("u-e")).duplicate())
        .isTrue();
    assertThat(source.queue(tenant).enqueue(job("alpha", 99).withUniqueKey("u-e")).duplicate())
        .isTrue();
    // same deliveries now: the leased job is not delivered while its lease runs
    List<String> now = drive(check, tenant, s);
    assertThat(now).isEqualTo(drive(source, tenant, s));
    assertThat(now)
        .extracting(x -> x.substring(0, 36))
        .containsExactly(s.retried().toString(), s.unique().toString(), s.other().toString());
    // after the lease expired (and the delayed job is due): delivered again, with the next token
    clock.advance(VIS.plus(Duration.ofHours(1)));
    List<String> later = drive(check, tenant, s);
    assertThat(later).isEqualTo(drive(source, tenant, s));
    // (the leases just taken expired too: those jobs come again, after the copied lease)
    assertThat(later)
        .containsExactly(
            s.leased() + "#" + (s.leasedToken() + 1),
            s.retried() + "#4",
            s.unique() + "#2",
            s.delayed() + "#1",
            s.other() + "#2");
    Queue q = check.queue(tenant);
    assertThatThrownBy(() -> q.ack(s.leased(), s.leasedToken()))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LEASE_LOST));
    assertThat(q.ack(s.leased(), s.leasedToken() + 1).status()).isEqualTo(Job.Status.SUCCEEDED);
    assertThat(q.get(s.retried()).orElseThrow().attempts()).hasSize(4);
  }

  @Test
  void sqliteSqlQueueToPostgresWithRedisQueueAndBack() {
    copiedAndServedAlike(Kind.SQLITE, Kind.POSTGRES_REDIS, true);
  }

  @Test
  void postgresWithRedisQueueToSqliteSqlQueueAndBack() {
    copiedAndServedAlike(Kind.POSTGRES_REDIS, Kind.SQLITE, true);
  }

  @Test
  void postgresSqlQueueToSqliteWithRedisQueue() {
    copiedAndServedAlike(Kind.POSTGRES, Kind.SQLITE_REDIS, false);
  }

  @Test
  void sqliteWithRedisQueueToPostgresSqlQueue() {
    copiedAndServedAlike(Kind.SQLITE_REDIS, Kind.POSTGRES, false);
  }

  @Test
  void redisQueueToAnotherRedisQueue() {
    copiedAndServedAlike(Kind.SQLITE_REDIS, Kind.SQLITE_REDIS, false);
  }

  @Test
  void theTargetStoreKeepsOnlyTheDlqsJobsBesideARedisQueue() {
    Flowstore source = open(Kind.SQLITE);
    TenantId tenant = TenantId.of("acme");
    Scenario s = fill(source, tenant);
    Flowstore target = open(Kind.SQLITE_REDIS);
    copy(source, target, new CopyOptions(false, 100));
    // the store alone (as the SQL queue would see it): only the dead-lettered job is in its jobs
    Flowstore storeOnly =
        Flowstore.open(
            FlowstoreConfig.fromMap(
                Map.of(
                    "FLOWSTORE_STORE_BACKEND",
                    "sqlite",
                    "FLOWSTORE_DATA_DIR",
                    target.config().dataDir().toString())),
            clock);
    open.add(storeOnly);
    assertThat(storeOnly.queue(tenant).stats())
        .singleElement()
        .satisfies(st -> assertThat(st.failed()).isOne())
        .satisfies(st -> assertThat(st.depth()).isZero());
    assertThat(storeOnly.queue(tenant).get(s.failed())).isPresent();
  }

  @Test
  void anInterruptedCopyIsRefusedThenResumedWithoutLossOrDuplicates() {
    Flowstore source = open(Kind.POSTGRES);
    TenantId tenant = TenantId.of("acme");
    fill(source, tenant);
    TenantId other = TenantId.of("other");
    for (int i = 0; i < 20; i++) source.queue(other).enqueue(job("gamma", i));
    Flowstore target = open(Kind.SQLITE_REDIS);
    int[] batches = {0};
    assertThatThrownBy(
            () ->
                BackendSwitch.find(source, target)
                    .copy(
                        source,
                        target,
                        new CopyOptions(false, 4),
                        p -> {
                          if (p.table().equals("jobs (queue)") && ++batches[0] == 3)
                            throw new IllegalStateException("killed");
                        },
                        Clock.systemUTC()))
        .hasMessage("killed");
    assertThat(compare(source, target).equal()).isFalse();
    assertThatThrownBy(() -> copy(source, target, new CopyOptions(false, 4)))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
              assertThat(e.getMessage()).contains("--resume");
            });
    BackendSwitch.CopySummary resumed = copy(source, target, new CopyOptions(true, 4));
    assertThat(resumed.alreadyComplete()).isFalse();
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
    assertThat(stats(target, other)).isEqualTo(stats(source, other));
    assertThat(copy(source, target, new CopyOptions(true, 4)).alreadyComplete()).isTrue();
    // a non-empty Redis queue is refused as a target
    String env = target.config().env();
    Map<String, String> same = new HashMap<>();
    same.put("FLOWSTORE_STORE_BACKEND", "sqlite");
    same.put("FLOWSTORE_DATA_DIR", tempDir());
    same.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    same.put("REDIS_DSN", TestBackends.redisDsn(DB));
    same.put("FLOWSTORE_ENV", env);
    Flowstore sameQueue = Flowstore.open(FlowstoreConfig.fromMap(same), clock);
    open.add(sameQueue);
    assertThatThrownBy(() -> copy(source, sameQueue, new CopyOptions(false, 4)))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> assertThat(e.getMessage()).contains("holds a copy from"));
  }

  private static String tempDir() {
    return dev.flowstore.testkit.TestBackends.tempDir("flowstore-qs-").toString();
  }

  @Test
  void compareNamesACorruptedAndAMissingJob() {
    Flowstore source = open(Kind.SQLITE);
    TenantId tenant = TenantId.of("acme");
    Scenario s = fill(source, tenant);
    Flowstore target = open(Kind.SQLITE_REDIS);
    copy(source, target, new CopyOptions(false, 100));
    String env = target.config().env();
    String prefix = "flowstore:" + env + ":{acme}:";
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> r = client.connect()) {
      r.sync().hset(prefix + "#job:" + s.unique(), "payload", "{\"n\":666}");
      r.sync().del(prefix + "#job:" + s.other());
    } finally {
      client.shutdown();
    }
    Comparison c = compare(source, target);
    assertThat(c.equal()).isFalse();
    TableComparison jobs =
        c.tables().stream()
            .filter(t -> t.table().equals("jobs") && t.tenant().equals("acme"))
            .findFirst()
            .orElseThrow();
    assertThat(jobs.countA()).isEqualTo(7);
    assertThat(jobs.countB()).isEqualTo(6);
    assertThat(jobs.digestA()).isNotEqualTo(jobs.digestB());
    Map<String, String> problems = new LinkedHashMap<>();
    jobs.differences().forEach(d -> problems.put(d.key().get("job_id"), d.problem()));
    assertThat(problems)
        .containsEntry(s.unique().toString(), "values differ")
        .containsEntry(s.other().toString(), "only in a")
        .hasSize(2);
    assertThat(
            jobs.differences().stream()
                .filter(d -> d.problem().equals("values differ"))
                .findFirst()
                .orElseThrow()
                .columns())
        .containsOnlyKeys("payload");
  }
}
