package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/**
 * The knowledge base on PostgreSQL (POSTGRES_DSN), in a schema of its own per test, dropped after.
 */
class PostgresKnowledgeBaseTest extends KnowledgeBaseContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
