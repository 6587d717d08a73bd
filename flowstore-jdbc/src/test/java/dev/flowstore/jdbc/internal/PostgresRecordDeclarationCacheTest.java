package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

class PostgresRecordDeclarationCacheTest extends RecordDeclarationCacheContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
