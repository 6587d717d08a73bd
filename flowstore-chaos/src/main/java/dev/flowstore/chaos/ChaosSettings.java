package dev.flowstore.chaos;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a run may use.
 *
 * @param mode quick (./chaos --quick, under 10 minutes for every scenario on 2 cores), full
 *     (./chaos), or ci (the smallest sizes, used by the module's tests in ./mvnw verify)
 * @param postgresDsn the PostgreSQL that scenarios which do not restart a database use; scenarios
 *     that restart PostgreSQL or Redis start private ones of their own (see {@link PrivateServers})
 * @param redisDsn the Redis likewise
 * @param workDir a fresh directory for data directories, logs and private servers
 */
public record ChaosSettings(Mode mode, String postgresDsn, String redisDsn, Path workDir) {
  public enum Mode {
    CI,
    QUICK,
    FULL
  }

  /** Picks a size by mode: {@code pick(ci, quick, full)}. */
  public int pick(int ci, int quick, int full) {
    return switch (mode) {
      case CI -> ci;
      case QUICK -> quick;
      case FULL -> full;
    };
  }

  public static ChaosSettings fromEnv(Mode mode, Path workDir) {
    Map<String, String> env = System.getenv();
    return new ChaosSettings(
        mode,
        env.getOrDefault("POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"),
        env.getOrDefault("REDIS_DSN", "redis://127.0.0.1:6379/0"),
        workDir);
  }
}
