package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.AuditLogContract;
import dev.flowstore.testkit.CheckpointsContract;
import dev.flowstore.testkit.CommandsContract;
import dev.flowstore.testkit.EventStoreContract;
import dev.flowstore.testkit.FlowsContract;
import dev.flowstore.testkit.IdempotencyKeysContract;
import dev.flowstore.testkit.InTransactionEventStore;
import dev.flowstore.testkit.InTransactionOutbox;
import dev.flowstore.testkit.InTransactionQueue;
import dev.flowstore.testkit.InTransactionRecords;
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
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;

/**
 * The one suite every SQL dialect runs: each contract of flowstore-testkit as a {@code @Nested}
 * class, on the store {@link #backend()} names. A dialect's entry point ({@link
 * SqliteContractsTest}, {@link PostgresContractsTest}) only supplies that store, so a contract
 * added here runs on both, and {@link ContractsGuardTest} fails while one is missing here.
 */
abstract class JdbcContracts {
  /** A fresh store of the dialect, read through {@code TestBackends}. */
  abstract FlowstoreConfig backend();

  @Nested
  class AuditLog extends AuditLogContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Checkpoints extends CheckpointsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Commands extends CommandsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class EventStore extends EventStoreContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  /** The event store contract with every call inside a caller's transaction. */
  @Nested
  class EventStoreInTransaction extends EventStoreContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }

    @Override
    protected dev.flowstore.EventStore events(TenantId tenant) {
      return new InTransactionEventStore(fs, tenant);
    }
  }

  @Nested
  class Flows extends FlowsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class IdempotencyKeys extends IdempotencyKeysContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Nodes extends NodesContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Outbox extends OutboxContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class OutboxRelay extends OutboxRelayContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Queue extends QueueContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  /** The queue contract with every call inside a caller's transaction. */
  @Nested
  class QueueInTransaction extends QueueContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }

    @Override
    protected dev.flowstore.Queue queue(TenantId tenant) {
      return new InTransactionQueue(fs, tenant);
    }
  }

  @Nested
  class QueueDlq extends QueueDlqContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class QueueWorker extends QueueWorkerContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Records extends RecordsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  /** The records contract with every call inside a caller's transaction. */
  @Nested
  class RecordsInTransaction extends RecordsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }

    @Override
    protected dev.flowstore.Records records(TenantId tenant) {
      return new InTransactionRecords(fs, tenant);
    }
  }

  @Nested
  class ResumeHandles extends ResumeHandlesContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Retention extends RetentionContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }

    @Override
    protected OptionalLong storedAttempts(TenantId tenant) {
      return OptionalLong.of(StoredRows.count(fs.config(), "job_attempts", tenant));
    }
  }

  /** The retention contract with every call inside a caller's transaction. */
  @Nested
  class RetentionInTransaction extends RetentionContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }

    @Override
    protected dev.flowstore.Queue queue(TenantId tenant) {
      return new InTransactionQueue(fs, tenant);
    }

    @Override
    protected dev.flowstore.Outbox outbox(TenantId tenant) {
      return new InTransactionOutbox(fs, tenant);
    }

    @Override
    protected OptionalLong storedAttempts(TenantId tenant) {
      return OptionalLong.of(StoredRows.count(fs.config(), "job_attempts", tenant));
    }
  }

  @Nested
  class Sessions extends SessionsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Steps extends StepsContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Tasks extends TasksContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }

  @Nested
  class Tenancy extends TenancyContract {
    @Override
    protected FlowstoreConfig config() {
      return backend();
    }
  }
}
