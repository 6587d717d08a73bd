package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TasksContract;
import dev.flowstore.testkit.TestBackends;

class SqliteTasksTest extends TasksContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
