package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/** Every contract of {@link JdbcContracts} on PostgreSQL, each in a schema of its own. */
class PostgresContractsTest extends JdbcContracts {
  @Override
  FlowstoreConfig backend() {
    return TestBackends.postgres();
  }
}
