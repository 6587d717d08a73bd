package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;

/** The helpdesk on PostgreSQL (POSTGRES_DSN), in a schema of its own per test, dropped after. */
class PostgresHelpdeskTest extends HelpdeskContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }
}
