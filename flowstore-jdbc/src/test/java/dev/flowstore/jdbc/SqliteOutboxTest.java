package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.OutboxContract;
import dev.flowstore.testkit.TestBackends;

class SqliteOutboxTest extends OutboxContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
