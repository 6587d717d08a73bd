package dev.flowstore.redis;

import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helpers on the test Redis: only ever flowstore's keys of one database index, never FLUSHALL.
 */
final class RedisTestKeys {
  private RedisTestKeys() {}

  /** Every key matching {@code pattern} in database {@code db}. */
  static List<String> scan(int db, String pattern) {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(db));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> out = new ArrayList<>();
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
        out.addAll(page.getKeys());
        cursor = page;
      } while (!cursor.isFinished());
      return out;
    } finally {
      client.shutdown();
    }
  }

  /** Deletes flowstore's keys in database {@code db} (a test class's own index). */
  static void deleteAll(int db) {
    deleteMatching(db, "flowstore:*");
  }

  /** Deletes the keys matching {@code pattern} in database {@code db}. */
  static void deleteMatching(int db, String pattern) {
    List<String> keys = scan(db, pattern);
    if (keys.isEmpty()) return;
    RedisClient client = RedisClient.create(TestBackends.redisDsn(db));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (int i = 0; i < keys.size(); i += 500)
        c.sync().unlink(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
    } finally {
      client.shutdown();
    }
  }
}
