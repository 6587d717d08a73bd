package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.IdempotencyKeysContract;
import dev.flowstore.testkit.TestBackends;

class SqliteIdempotencyKeysTest extends IdempotencyKeysContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
