package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.RetentionContract;
import dev.flowstore.testkit.TestBackends;
import java.util.OptionalLong;

class SqliteRetentionTest extends RetentionContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Override
  protected OptionalLong storedAttempts(TenantId tenant) {
    return OptionalLong.of(StoredRows.count(fs.config(), "job_attempts", tenant));
  }
}
