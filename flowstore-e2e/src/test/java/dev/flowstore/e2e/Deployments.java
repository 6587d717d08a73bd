package dev.flowstore.e2e;

import dev.flowstore.testkit.TestBackends;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The configurations the e2e suites start the server with. */
final class Deployments {
  private Deployments() {}

  /** A name of this run (lower-case base 36): schemas and Redis environments are per run. */
  static String run() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
        .toLowerCase(Locale.ROOT);
  }

  /** PostgreSQL ({@code POSTGRES_DSN}) in the schema {@code <prefix>_<run>}; its SQL queue. */
  static Map<String, String> postgres(String prefix, String run) {
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSTORE_STORE_BACKEND", "postgres");
    env.put("POSTGRES_DSN", TestBackends.postgresDsn());
    env.put("POSTGRES_SCHEMA", prefix + "_" + run);
    env.put("POSTGRES_POOL_MAX", "4");
    return env;
  }
}
