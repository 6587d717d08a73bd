package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.NodesContract;
import dev.flowstore.testkit.TestBackends;

class SqliteNodesTest extends NodesContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
