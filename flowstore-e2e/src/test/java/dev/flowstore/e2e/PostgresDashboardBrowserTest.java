package dev.flowstore.e2e;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The dashboard in Chromium against PostgreSQL ({@code POSTGRES_DSN}, a schema of this run, dropped
 * afterwards) with its SQL queue.
 */
class PostgresDashboardBrowserTest extends DashboardBrowserContract {
  @Override
  Map<String, String> deployment(Path dir) {
    String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    return Map.of(
        "FLOWSTORE_STORE_BACKEND",
        "postgres",
        "POSTGRES_DSN",
        TestBackends.postgresDsn(),
        "POSTGRES_SCHEMA",
        "dash_" + run.toLowerCase(Locale.ROOT),
        "POSTGRES_POOL_MAX",
        "4",
        "FLOWSTORE_DATA_DIR",
        dir.resolve("data").toString());
  }

  @Override
  void dropDeployment(Map<String, String> env) {
    TestBackends.drop(FlowstoreConfig.fromMap(env));
  }
}
