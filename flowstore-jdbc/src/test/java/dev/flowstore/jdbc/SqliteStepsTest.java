package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.StepsContract;
import dev.flowstore.testkit.TestBackends;

class SqliteStepsTest extends StepsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
