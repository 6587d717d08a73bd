package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.ResumeHandlesContract;
import dev.flowstore.testkit.TestBackends;

class SqliteResumeHandlesTest extends ResumeHandlesContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
