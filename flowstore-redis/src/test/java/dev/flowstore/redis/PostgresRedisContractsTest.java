package dev.flowstore.redis;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.OutboxRelayContract;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.QueueDlqContract;
import dev.flowstore.testkit.QueueWorkerContract;
import dev.flowstore.testkit.RecordsContract;
import dev.flowstore.testkit.RetentionContract;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.TestBackends;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The Redis contracts with PostgreSQL as the SQL store, where what Redis leaves to SQL runs as the
 * tenant role under row-level security: the tenant registration and the DLQ's SQL side (queue
 * suites), the version probes (session and record cache). {@link ContractsGuardTest} fails until a
 * new testkit contract is run here or declined in {@link #NOT_RUN}.
 */
class PostgresRedisContractsTest {
  private static final String SAME_AS_SQLITE =
      "its Redis side is RedisContractsTest's; of the SQL side, PostgreSQL changes only what Queue"
          + " and QueueDlq cover";

  /** The testkit's contracts not run here, with the reason. */
  static final Map<Class<?>, String> NOT_RUN = notRun();

  private static Map<Class<?>, String> notRun() {
    Map<Class<?>, String> m = new HashMap<>(RedisContractsTest.NOT_RUN);
    m.put(QueueWorkerContract.class, SAME_AS_SQLITE);
    m.put(OutboxRelayContract.class, SAME_AS_SQLITE);
    m.put(RetentionContract.class, SAME_AS_SQLITE);
    return Map.copyOf(m);
  }

  /**
   * The queue suites share Redis database 3, each under a FLOWSTORE_ENV of its own: only those keys
   * are deleted.
   */
  private static final int QUEUE_DB = 3;

  private static final String QUEUE_ENV = newEnv();
  private static final String QUEUE_DLQ_ENV = newEnv();
  private static final int SESSIONS_DB = 6;

  private static String newEnv() {
    return "pg" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static FlowstoreConfig redisQueue(String env) {
    return TestBackends.postgres(
        Map.of(
            "FLOWSTORE_QUEUE_BACKEND",
            "redis",
            "REDIS_DSN",
            TestBackends.redisDsn(QUEUE_DB),
            "FLOWSTORE_ENV",
            env));
  }

  @AfterAll
  static void dropKeys() {
    for (String env : new String[] {QUEUE_ENV, QUEUE_DLQ_ENV})
      RedisTestKeys.deleteMatching(QUEUE_DB, "flowstore:" + env + ":*");
    RedisTestKeys.deleteAll(SESSIONS_DB);
  }

  @Nested
  class Queue extends QueueContract {
    @Override
    protected FlowstoreConfig config() {
      return redisQueue(QUEUE_ENV);
    }
  }

  @Nested
  class QueueDlq extends QueueDlqContract {
    @Override
    protected FlowstoreConfig config() {
      return redisQueue(QUEUE_DLQ_ENV);
    }
  }

  @Nested
  class CachedSessions extends SessionsContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.postgres(
          Map.of("FLOWSTORE_CACHE", "redis", "REDIS_DSN", TestBackends.redisDsn(SESSIONS_DB)));
    }
  }

  /**
   * Every record read and change through the Redis cache (the record version probe as the tenant).
   */
  @Nested
  class CachedRecords extends RecordsContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.postgres(
          Map.of("FLOWSTORE_CACHE", "redis", "REDIS_DSN", TestBackends.redisDsn(SESSIONS_DB)));
    }
  }
}
