package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.QueueWorkerContract;
import dev.flowstore.testkit.TestBackends;

class PostgresQueueWorkerTest extends QueueWorkerContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
