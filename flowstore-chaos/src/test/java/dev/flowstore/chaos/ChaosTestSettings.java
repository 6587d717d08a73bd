package dev.flowstore.chaos;

import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Settings for the CI-size runs in {@code ./mvnw verify}: the test PostgreSQL and Redis of the test
 * kit ({@code POSTGRES_DSN} / {@code REDIS_DSN}, or embedded ones on a machine with only a JDK).
 */
final class ChaosTestSettings {
  private ChaosTestSettings() {}

  static ChaosSettings ci(Path dir) {
    return new ChaosSettings(
        ChaosSettings.Mode.CI, TestBackends.postgresDsn(), TestBackends.redisDsn(), dir);
  }

  /**
   * Scenarios that crash a database need PostgreSQL's and Redis's server binaries for private
   * servers. Under CI ({@code CI=true}) a missing one fails the test; on a developer's machine the
   * test is skipped, loudly, naming what to install.
   */
  static void requirePrivateServers() {
    try {
      PrivateServers.postgresBin();
      PrivateServers.redisBinary();
    } catch (IllegalStateException missing) {
      if ("true".equals(System.getenv("CI"))) throw missing;
      System.err.println("*** SKIPPED (not in CI): " + missing.getMessage() + " ***");
      Assumptions.abort(missing.getMessage());
    }
  }
}
