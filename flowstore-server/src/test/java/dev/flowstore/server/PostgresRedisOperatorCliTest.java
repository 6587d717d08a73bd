package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * The operator commands on PostgreSQL with the Redis queue (its DLQ truth in SQL, its jobs in
 * Redis), under an {@code FLOWSTORE_ENV} of this run in Redis database 5; its keys are removed
 * afterwards.
 */
class PostgresRedisOperatorCliTest extends OperatorCliContract {
  private static final int DB = 5;
  private final String env = "opcli" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  FlowstoreConfig newConfig() {
    return TestStores.postgres(
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
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches("flowstore:" + env + ":*").limit(1000));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }
}
