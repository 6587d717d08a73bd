package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

class SqliteJsonlArchiveTest extends JsonlArchiveContract {
  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    return TestStores.sqlite(tmp, extra);
  }
}
