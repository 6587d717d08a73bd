package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;

/**
 * The SessionsContract, unchanged, through the Redis session cache (SQLite as the store), in Redis
 * database 9 of its own.
 */
class RedisCachedSessionsTest extends SessionsContract {
  private static final int DB = 9;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisCache(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
