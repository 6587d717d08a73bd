package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

class PostgresWorkflowRecordsHttpTest extends WorkflowRecordsHttpContract {
  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    return TestStores.postgres(extra);
  }
}
