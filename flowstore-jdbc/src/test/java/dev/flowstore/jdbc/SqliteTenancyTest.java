package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TenancyContract;
import dev.flowstore.testkit.TestBackends;

class SqliteTenancyTest extends TenancyContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
