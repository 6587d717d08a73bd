package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueDlqContract;
import dev.flowstore.testkit.TestBackends;

class PostgresQueueDlqTest extends QueueDlqContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
