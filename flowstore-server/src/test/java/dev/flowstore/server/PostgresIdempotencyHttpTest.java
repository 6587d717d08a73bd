package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

class PostgresIdempotencyHttpTest extends IdempotencyHttpContract {
  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    return TestStores.postgres(extra);
  }
}
