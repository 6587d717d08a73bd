package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

class SqliteRecordIndexesTest extends RecordIndexesContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Override
  protected FlowstoreConfig freshConfig() {
    return TestBackends.sqliteTemp();
  }
}
