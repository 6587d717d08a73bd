package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.CheckpointsContract;
import dev.flowstore.testkit.TestBackends;

class SqliteCheckpointsTest extends CheckpointsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
