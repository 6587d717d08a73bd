package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

class PostgresOperatorCliTest extends OperatorCliContract {
  @Override
  FlowstoreConfig newConfig() {
    return TestStores.postgres(Map.of());
  }
}
