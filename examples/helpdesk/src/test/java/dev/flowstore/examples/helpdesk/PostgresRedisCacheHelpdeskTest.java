package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import java.util.UUID;

/**
 * The helpdesk on PostgreSQL with the Redis cache ({@code FLOWSTORE_CACHE=redis}, REDIS_DSN on
 * database 2): the same code, the store decides what it caches. Each store gets its own {@code
 * FLOWSTORE_ENV}, so the cache keys of one test's schema are never another's (every test uses the
 * tenants acme and globex).
 */
class PostgresRedisCacheHelpdeskTest extends HelpdeskContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(
        Map.of(
            "FLOWSTORE_CACHE",
            "redis",
            "REDIS_DSN",
            TestBackends.redisDsn(2),
            "FLOWSTORE_ENV",
            "hd-" + UUID.randomUUID().toString().substring(0, 8)));
  }
}
