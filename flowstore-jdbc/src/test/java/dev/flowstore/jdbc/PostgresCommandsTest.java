package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.CommandsContract;
import dev.flowstore.testkit.TestBackends;

class PostgresCommandsTest extends CommandsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
