package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueWorkerContract;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;

/** The QueueWorkerContract on Redis (SQLite as the SQL store), in Redis database 12 of its own. */
class RedisQueueWorkerTest extends QueueWorkerContract {
  private static final int DB = 12;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
