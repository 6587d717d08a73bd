package dev.flowstore.server;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Fresh store configurations with extra keys, for both backends. */
final class TestStores {
  private TestStores() {}

  /** A new SQLite store in its own directory under {@code root}. */
  static FlowstoreConfig sqlite(Path root, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("FLOWSTORE_STORE_BACKEND", "sqlite");
    m.put("FLOWSTORE_DATA_DIR", root.resolve("store-" + UUID.randomUUID()).toString());
    return FlowstoreConfig.fromMap(m);
  }

  /** A new PostgreSQL store in its own schema. */
  static FlowstoreConfig postgres(Map<String, String> extra) {
    return TestBackends.postgres(extra);
  }
}
