package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueDlqContract;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;

/** The QueueDlqContract on Redis (SQLite as the SQL store), in Redis database 11 of its own. */
class RedisQueueDlqTest extends QueueDlqContract {
  private static final int DB = 11;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
