package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

class PostgresRecordIndexDdlTest extends RecordIndexesContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }

  @Override
  protected FlowstoreConfig freshConfig() {
    return TestBackends.postgres();
  }
}
