package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.AuditLogContract;
import dev.flowstore.testkit.TestBackends;

class SqliteAuditLogTest extends AuditLogContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
