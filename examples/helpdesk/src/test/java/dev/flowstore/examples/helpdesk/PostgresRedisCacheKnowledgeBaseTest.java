package dev.flowstore.examples.helpdesk;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import java.util.UUID;

/**
 * The knowledge base on PostgreSQL with the Redis cache ({@code FLOWSTORE_CACHE=redis}, REDIS_DSN
 * on database 2, a fresh {@code FLOWSTORE_ENV} per store, as {@link
 * PostgresRedisCacheHelpdeskTest}).
 */
class PostgresRedisCacheKnowledgeBaseTest extends KnowledgeBaseContract {
  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(
        Map.of(
            "FLOWSTORE_CACHE",
            "redis",
            "REDIS_DSN",
            TestBackends.redisDsn(2),
            "FLOWSTORE_ENV",
            "kb-" + UUID.randomUUID().toString().substring(0, 8)));
  }
}
