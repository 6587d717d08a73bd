package dev.flowstore.e2e;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.util.Map;

/**
 * The production deployment: PostgreSQL ({@code POSTGRES_DSN}, a schema of this run, dropped
 * afterwards) with the queue and the session and record cache on Redis ({@code REDIS_DSN}, keys
 * under an environment name of this run, deleted afterwards). Unset DSNs fall back to embedded
 * servers, except in CI.
 */
class PostgresRedisApiE2eTest extends ApiE2eContract {
  @Override
  Map<String, String> deployment(Path dir) {
    Map<String, String> env = deployment("e2e");
    // why: production's records and sessions read through the Redis cache
    env.put("FLOWSTORE_CACHE", "redis");
    return env;
  }

  @Override
  boolean recordCache() {
    return true;
  }

  /**
   * PostgreSQL in a schema {@code <prefix>_<run>} and the Redis queue under {@code FLOWSTORE_ENV}
   * {@code <prefix>-<run>}, a run being random (also ObservabilityE2eContract's deployment).
   */
  static Map<String, String> deployment(String prefix) {
    String run = Deployments.run();
    Map<String, String> env = Deployments.postgres(prefix, run);
    env.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    env.put("REDIS_DSN", TestBackends.redisDsn());
    env.put("FLOWSTORE_ENV", prefix + "-" + run);
    return env;
  }

  @Override
  void dropDeployment(Map<String, String> env) {
    drop(env);
  }

  /** Drops the run's schema and deletes its Redis keys (also ObservabilityE2eContract's). */
  static void drop(Map<String, String> env) {
    try {
      TestBackends.drop(FlowstoreConfig.fromMap(env));
    } finally {
      deleteRedisKeys(env.get("REDIS_DSN"), "flowstore:" + env.get("FLOWSTORE_ENV") + ":*");
    }
  }

  /** Deletes this run's keys only: the Redis server is shared, never flushed. */
  private static void deleteRedisKeys(String dsn, String pattern) {
    RedisClient client = RedisClient.create(dsn);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(500));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }
}
