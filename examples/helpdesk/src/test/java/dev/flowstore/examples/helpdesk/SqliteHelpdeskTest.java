package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/** The helpdesk on SQLite, in a new temporary directory per test. */
class SqliteHelpdeskTest extends HelpdeskContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
