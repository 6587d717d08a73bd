package dev.flowstore.redis;

import static java.util.Map.entry;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.AuditLogContract;
import dev.flowstore.testkit.CheckpointsContract;
import dev.flowstore.testkit.CommandsContract;
import dev.flowstore.testkit.EventStoreContract;
import dev.flowstore.testkit.FlowsContract;
import dev.flowstore.testkit.IdempotencyKeysContract;
import dev.flowstore.testkit.NodesContract;
import dev.flowstore.testkit.OutboxContract;
import dev.flowstore.testkit.OutboxRelayContract;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.QueueDlqContract;
import dev.flowstore.testkit.QueueWorkerContract;
import dev.flowstore.testkit.RecordsContract;
import dev.flowstore.testkit.ResumeHandlesContract;
import dev.flowstore.testkit.RetentionContract;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.StepsContract;
import dev.flowstore.testkit.TasksContract;
import dev.flowstore.testkit.TenancyContract;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The contracts Redis takes part in, with SQLite as the SQL store: the queue suites through the
 * Redis queue, the sessions suite through the Redis session cache, unchanged. Each suite has a
 * Redis database of its own (or shared with a class that runs at another time, on tenants of its
 * own); only flowstore's keys there are deleted afterwards, never FLUSHALL. {@link
 * ContractsGuardTest} fails until a new testkit contract is run here or declined in {@link
 * #NOT_RUN}.
 */
class RedisContractsTest {
  private static final String SQL_ONLY =
      "Redis is not on its path: the SQL store's, run in flowstore-jdbc";

  /** The testkit's contracts not run here, with the reason. */
  static final Map<Class<?>, String> NOT_RUN =
      Map.ofEntries(
          entry(AuditLogContract.class, SQL_ONLY),
          entry(CheckpointsContract.class, SQL_ONLY),
          entry(CommandsContract.class, SQL_ONLY),
          entry(EventStoreContract.class, SQL_ONLY),
          entry(FlowsContract.class, SQL_ONLY),
          entry(IdempotencyKeysContract.class, SQL_ONLY),
          entry(NodesContract.class, SQL_ONLY),
          entry(OutboxContract.class, SQL_ONLY),
          entry(ResumeHandlesContract.class, SQL_ONLY),
          entry(StepsContract.class, SQL_ONLY),
          entry(TasksContract.class, SQL_ONLY),
          entry(
              TenancyContract.class, SQL_ONLY + "; tenants never share a Redis key: RedisKeysTest"),
          entry(
              RetentionContract.class,
              RedisRetentionTest.class.getSimpleName()
                  + " runs it, and checks that purged jobs leave no Redis key"));

  private static final int QUEUE_DB = 10; // shared with RedisAckBatchTest
  private static final int QUEUE_DLQ_DB = 11;
  private static final int QUEUE_WORKER_DB = 12; // shared with RedisAttemptHistoryTest
  private static final int OUTBOX_RELAY_DB = 5;
  private static final int SESSIONS_DB = 9;

  @AfterAll
  static void dropKeys() {
    for (int db : new int[] {QUEUE_DB, QUEUE_DLQ_DB, QUEUE_WORKER_DB, OUTBOX_RELAY_DB, SESSIONS_DB})
      RedisTestKeys.deleteAll(db);
  }

  @Nested
  class Queue extends QueueContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisQueue(QUEUE_DB);
    }
  }

  @Nested
  class QueueDlq extends QueueDlqContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisQueue(QUEUE_DLQ_DB);
    }
  }

  @Nested
  class QueueWorker extends QueueWorkerContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisQueue(QUEUE_WORKER_DB);
    }
  }

  /**
   * The relay publishing into the Redis queue (the outbox itself lives in the SQL store): crash
   * mid-batch, crash between enqueue and mark, concurrent relays, wake-up.
   */
  @Nested
  class OutboxRelay extends OutboxRelayContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisQueue(OUTBOX_RELAY_DB);
    }
  }

  /** Every session read and change through the Redis session cache. */
  @Nested
  class CachedSessions extends SessionsContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisCache(SESSIONS_DB);
    }
  }

  /** Every record read and change through the Redis cache (keys apart from the sessions'). */
  @Nested
  class CachedRecords extends RecordsContract {
    @Override
    protected FlowstoreConfig config() {
      return TestBackends.sqliteWithRedisCache(SESSIONS_DB);
    }
  }
}
