package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * The records routes on PostgreSQL with the Redis record cache ({@code FLOWSTORE_CACHE=redis}),
 * under an {@code FLOWSTORE_ENV} of this run in Redis database 7; its keys are removed afterwards.
 */
class PostgresRedisCacheCollectionRecordsHttpTest extends CollectionRecordsHttpContract {
  private static final int DB = 7;
  private final String env = "recapi" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  boolean cached() {
    return true;
  }

  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("FLOWSTORE_CACHE", "redis");
    m.put("REDIS_DSN", TestBackends.redisDsn(DB));
    m.put("FLOWSTORE_ENV", env);
    return TestStores.postgres(m);
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
