package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.InTransactionQueue;
import dev.flowstore.testkit.QueueContract;
import dev.flowstore.testkit.TestBackends;

/** The queue contract with every call inside a caller's transaction. */
class SqliteQueueInTransactionTest extends QueueContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Override
  protected Queue queue(TenantId tenant) {
    return new InTransactionQueue(fs, tenant);
  }
}
