package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/** The knowledge base on SQLite, in a new temporary directory per test. */
class SqliteKnowledgeBaseTest extends KnowledgeBaseContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }
}
