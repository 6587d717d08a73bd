package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;

/**
 * The helpdesk on PostgreSQL with the Redis cache ({@code FLOWSTORE_CACHE=redis}, REDIS_DSN on
 * database 2): the same code, the store decides what it caches.
 */
class PostgresRedisCacheHelpdeskTest extends HelpdeskContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(
        Map.of("FLOWSTORE_CACHE", "redis", "REDIS_DSN", TestBackends.redisDsn(2)));
  }
}
