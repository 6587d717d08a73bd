package dev.flowstore.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Wakeups;
import dev.flowstore.jdbc.internal.JdbcFlowstore;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The backend's per-tenant and per-queue memory (ack lanes, registered tenants, remembered leases,
 * wake-up counters) stays bounded however many tenants have come and gone: 10,000 tenants each
 * enqueue, lease, wait for work and ack once, then go idle. Redis database 15 and a key prefix
 * (FLOWSTORE_ENV) of its own; only those keys are deleted.
 */
class RedisTenantMemoryTest {
  private static final int DB = 15;
  private static final int TENANTS = 10_000;

  @Test
  void perTenantMapsStayBoundedAfterTenThousandTenantsWentIdle() throws Exception {
    String env = "mem" + UUID.randomUUID().toString().substring(0, 8);
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "sqlite",
                "FLOWSTORE_DATA_DIR",
                Files.createTempDirectory("flowstore-test-").toString(),
                "FLOWSTORE_QUEUE_BACKEND",
                "redis",
                "REDIS_DSN",
                TestBackends.redisDsn(DB),
                "FLOWSTORE_ENV",
                env));
    try (Flowstore fs = Flowstore.open(config);
        ExecutorService pool = Executors.newFixedThreadPool(16, Thread.ofVirtual().factory())) {
      RedisQueueBackend backend = backendOf(fs);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < TENANTS; i++) {
        TenantId tenant = TenantId.of("m" + i);
        done.add(
            pool.submit(
                () -> {
                  Queue q = fs.queue(tenant);
                  q.enqueue(NewJob.of("q", "work", null));
                  Lease l = q.lease("q", 1, Duration.ofSeconds(30)).get(0);
                  q.awaitWork("q", Duration.ZERO);
                  q.ack(l.jobId(), l.token());
                  return null;
                }));
      }
      for (Future<?> f : done) f.get();
      assertThat(fs.tenants()).as("every tenant is on the list the sweeper walks").hasSize(TENANTS);
      Map<String, Integer> memory = backend.memory();
      assertThat(memory.get("ack_lanes")).as("idle tenants hold no ack lane").isZero();
      assertThat(memory.get("open_leases")).isZero();
      assertThat(memory.get("registered_tenants"))
          .isLessThanOrEqualTo(RedisQueueBackend.TENANT_MEMORY);
      assertThat(memory.get("wakeup_keys")).isLessThanOrEqualTo(Wakeups.MAX_IDLE_KEYS + 1);
    } finally {
      deleteKeys("flowstore:" + env + ":*");
    }
  }

  /**
   * Ack lanes retire and reopen all the time under bursty acks of a few tenants: every ack still
   * settles its own job exactly once, and no lane is left when the bursts are over.
   */
  @Test
  void acksRacingWithLanesThatRetireAndReopenAllSettle() throws Exception {
    String env = "lanes" + UUID.randomUUID().toString().substring(0, 8);
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "sqlite",
                "FLOWSTORE_DATA_DIR",
                Files.createTempDirectory("flowstore-test-").toString(),
                "FLOWSTORE_QUEUE_BACKEND",
                "redis",
                "REDIS_DSN",
                TestBackends.redisDsn(DB),
                "FLOWSTORE_ENV",
                env));
    int tenants = 4;
    int perTenant = 300;
    try (Flowstore fs = Flowstore.open(config);
        ExecutorService pool = Executors.newFixedThreadPool(32, Thread.ofVirtual().factory())) {
      RedisQueueBackend backend = backendOf(fs);
      List<Future<Integer>> acked = new ArrayList<>();
      for (int t = 0; t < tenants; t++) {
        Queue q = fs.queue(TenantId.of("lane" + t));
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < perTenant; i++) jobs.add(NewJob.of("q", "work", null));
        q.enqueueAll(jobs);
        for (int w = 0; w < 8; w++)
          acked.add(
              pool.submit(
                  () -> {
                    int n = 0;
                    for (List<Lease> ls = q.lease("q", 1, Duration.ofSeconds(60));
                        !ls.isEmpty();
                        ls = q.lease("q", 1, Duration.ofSeconds(60))) {
                      Lease l = ls.get(0);
                      assertThat(q.ack(l.jobId(), l.token()).status())
                          .isEqualTo(dev.flowstore.Job.Status.SUCCEEDED);
                      n++;
                    }
                    return n;
                  }));
      }
      int total = 0;
      for (Future<Integer> f : acked) total += f.get();
      assertThat(total).isEqualTo(tenants * perTenant);
      for (int t = 0; t < tenants; t++)
        assertThat(fs.queue(TenantId.of("lane" + t)).stats())
            .singleElement()
            .satisfies(
                s -> {
                  assertThat(s.succeeded()).isEqualTo(perTenant);
                  assertThat(s.leased()).isZero();
                });
      assertThat(backend.memory().get("ack_lanes")).isZero();
    } finally {
      deleteKeys("flowstore:" + env + ":*");
    }
  }

  /** The store's queue backend: the one the SQL store opened and delegates its queues to. */
  private static RedisQueueBackend backendOf(Flowstore fs) {
    return (RedisQueueBackend) ((JdbcFlowstore) fs).queueBackend();
  }

  private static void deleteKeys(String pattern) {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }
}
