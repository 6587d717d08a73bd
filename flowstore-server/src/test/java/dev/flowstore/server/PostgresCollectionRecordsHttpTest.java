package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

class PostgresCollectionRecordsHttpTest extends CollectionRecordsHttpContract {
  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    return TestStores.postgres(extra);
  }
}
