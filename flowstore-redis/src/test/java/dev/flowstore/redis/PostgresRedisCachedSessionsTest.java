package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The SessionsContract, unchanged, through the Redis session cache on PostgreSQL (the version probe
 * runs as the tenant role, under row-level security), in Redis database 6 of its own.
 */
class PostgresRedisCachedSessionsTest extends SessionsContract {
  private static final int DB = 6;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(
        Map.of("FLOWSTORE_CACHE", "redis", "REDIS_DSN", TestBackends.redisDsn(DB)));
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
