package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class SqliteCollectionRecordsHttpTest extends CollectionRecordsHttpContract {
  @TempDir static Path dir;

  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    return TestStores.sqlite(dir, extra);
  }
}
