package dev.flowstore.e2e;

import java.nio.file.Path;
import java.util.Map;

/** The default deployment: SQLite in a data directory of its own, the SQL queue. */
class SqliteApiE2eTest extends ApiE2eContract {
  @Override
  Map<String, String> deployment(Path dir) {
    return Map.of(
        "FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.resolve("data").toString());
  }
}
