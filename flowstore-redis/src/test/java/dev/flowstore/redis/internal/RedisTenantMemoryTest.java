package dev.flowstore.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Wakeups;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.reflect.Field;
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
      assertThat(memory.get("wakeup_keys")).isLessThanOrEqualTo(Wakeups.MAX_KEYS);
    } finally {
      deleteKeys("flowstore:" + env + ":*");
    }
  }

  /** The store's queue backend (a private field of the SQL store). */
  private static RedisQueueBackend backendOf(Flowstore fs) throws ReflectiveOperationException {
    Field f = fs.getClass().getDeclaredField("queueBackend");
    f.setAccessible(true);
    return (RedisQueueBackend) f.get(fs);
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
