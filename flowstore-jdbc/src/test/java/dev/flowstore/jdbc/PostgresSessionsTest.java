package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.SessionsContract;
import dev.flowstore.testkit.TestBackends;

class PostgresSessionsTest extends SessionsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
