package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.OutboxRelayContract;
import dev.flowstore.testkit.TestBackends;

class PostgresOutboxRelayTest extends OutboxRelayContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
