package dev.flowstore.e2e;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.util.Map;

/**
 * The dashboard in Chromium against PostgreSQL ({@code POSTGRES_DSN}, a schema of this run, dropped
 * afterwards) with its SQL queue.
 */
class PostgresDashboardBrowserTest extends DashboardBrowserContract {
  @Override
  Map<String, String> deployment(Path dir) {
    Map<String, String> env = Deployments.postgres("dash", Deployments.run());
    env.put("FLOWSTORE_DATA_DIR", dir.resolve("data").toString());
    return env;
  }

  @Override
  void dropDeployment(Map<String, String> env) {
    TestBackends.drop(FlowstoreConfig.fromMap(env));
  }
}
