package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;

/** The QueueContract on Redis (SQLite as the SQL store), in Redis database 10 of its own. */
class RedisQueueTest extends QueueContract {
  private static final int DB = 10;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
