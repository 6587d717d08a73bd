package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * The QueueContract on Redis with PostgreSQL as the SQL store: the tenant registration and the
 * DLQ's SQL side run as the tenant role under row-level security. Redis database 3, keys under a
 * FLOWSTORE_ENV of its own (only those are deleted).
 */
class PostgresRedisQueueTest extends QueueContract {
  private static final int DB = 3;
  private final String env = "pg" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(
        Map.of(
            "FLOWSTORE_QUEUE_BACKEND",
            "redis",
            "REDIS_DSN",
            TestBackends.redisDsn(DB),
            "FLOWSTORE_ENV",
            env));
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteMatching(DB, "flowstore:" + env + ":*");
  }
}
