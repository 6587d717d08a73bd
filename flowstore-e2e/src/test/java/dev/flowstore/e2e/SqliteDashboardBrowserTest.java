package dev.flowstore.e2e;

import java.nio.file.Path;
import java.util.Map;

/** The dashboard in Chromium against the default deployment: SQLite and its SQL queue. */
class SqliteDashboardBrowserTest extends DashboardBrowserContract {
  @Override
  Map<String, String> deployment(Path dir) {
    return Map.of(
        "FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.resolve("data").toString());
  }
}
