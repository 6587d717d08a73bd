package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/** Every contract of {@link JdbcContracts} on SQLite, each in a temporary data directory. */
class SqliteContractsTest extends JdbcContracts {
  @Override
  FlowstoreConfig backend() {
    return TestBackends.sqliteTemp();
  }
}
