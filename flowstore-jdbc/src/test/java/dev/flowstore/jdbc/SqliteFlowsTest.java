package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.FlowsContract;
import dev.flowstore.testkit.TestBackends;

class SqliteFlowsTest extends FlowsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
