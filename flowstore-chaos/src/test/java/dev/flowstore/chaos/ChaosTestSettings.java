package dev.flowstore.chaos;

import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;

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
   * servers. A missing one fails the test with what to install, on every machine: never a skip.
   */
  static void requirePrivateServers() {
    PrivateServers.postgresBin();
    PrivateServers.redisBinary();
  }
}
