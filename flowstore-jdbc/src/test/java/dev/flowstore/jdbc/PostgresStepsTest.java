package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.StepsContract;
import dev.flowstore.testkit.TestBackends;

class PostgresStepsTest extends StepsContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
