package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

class SqliteRecordDeclarationCacheTest extends RecordDeclarationCacheContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
