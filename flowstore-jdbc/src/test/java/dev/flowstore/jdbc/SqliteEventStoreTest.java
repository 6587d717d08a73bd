package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.EventStoreContract;
import dev.flowstore.testkit.TestBackends;

class SqliteEventStoreTest extends EventStoreContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
