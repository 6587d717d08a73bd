package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.internal.Faults;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A store on SQLite with the Redis cache in a Redis database of the test's own ({@link #db}), a
 * {@link CacheProbe} onto it, faults disarmed after each test and the database emptied after all.
 */
abstract class RedisCacheTestBase extends FlowstoreTestBase {
  protected CacheProbe probe;

  /** The test's own Redis database. */
  abstract int db();

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisCache(db());
  }

  @BeforeAll
  void openProbe() {
    probe = new CacheProbe(fs, TestBackends.redisDsn(db()));
  }

  @AfterAll
  void dropKeys() {
    probe.close();
    RedisTestKeys.deleteAll(db());
  }

  @AfterEach
  void disarm() {
    Faults.clear();
  }
}
