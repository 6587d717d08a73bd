package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.TestBackends;

class SqliteSessionsTest extends SessionsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
