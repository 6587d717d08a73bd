package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.OutboxRelayContract;
import dev.flowstore.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;

/**
 * The outbox relay publishing into the Redis queue (the outbox itself lives in the SQL store), in
 * Redis database 5 of its own: crash mid-batch, crash between enqueue and mark, concurrent relays,
 * wake-up.
 */
class RedisOutboxRelayTest extends OutboxRelayContract {
  private static final int DB = 5;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }
}
