package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.TestBackends;

class SqliteQueueTest extends QueueContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
