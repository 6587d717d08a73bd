package dev.flowstore.jdbc;

import dev.flowstore.EventStore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.EventStoreContract;
import dev.flowstore.testkit.InTransactionEventStore;
import dev.flowstore.testkit.TestBackends;

/** The event store contract with every call inside a caller's transaction. */
class SqliteEventStoreInTransactionTest extends EventStoreContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Override
  protected EventStore events(TenantId tenant) {
    return new InTransactionEventStore(fs, tenant);
  }
}
