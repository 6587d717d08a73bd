package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Outbox;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.InTransactionOutbox;
import dev.flowstore.testkit.InTransactionQueue;
import dev.flowstore.testkit.RetentionContract;
import dev.flowstore.testkit.TestBackends;
import java.util.OptionalLong;

/** The retention contract with every call inside a caller's transaction. */
class PostgresRetentionInTransactionTest extends RetentionContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }

  @Override
  protected Queue queue(TenantId tenant) {
    return new InTransactionQueue(fs, tenant);
  }

  @Override
  protected Outbox outbox(TenantId tenant) {
    return new InTransactionOutbox(fs, tenant);
  }

  @Override
  protected OptionalLong storedAttempts(TenantId tenant) {
    return OptionalLong.of(StoredRows.count(fs.config(), "job_attempts", tenant));
  }
}
