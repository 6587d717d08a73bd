package dev.flowstore.server.internal.cli;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend named on the command line of {@code copy} and {@code compare}: {@code sqlite:<data
 * dir>}, or a PostgreSQL DSN ({@code postgresql://user@host:5432/db}, {@code jdbc:postgresql:...})
 * with an optional {@code schema=} query parameter (default {@code flowstore}). {@code
 * POSTGRES_APP_ROLE} comes from the environment, as for {@code serve}.
 */
final class BackendSpec {
  static final String FORMS =
      "sqlite:<data dir> (e.g. sqlite:./data) or postgresql://user@host:5432/db[?schema=name]";

  static final String QUEUE_FORMS =
      "redis://[user:password@]host:6379/<db>[?env=<FLOWSTORE_ENV>] (rediss:// for TLS)";

  private BackendSpec() {}

  /**
   * The configuration that opens {@code spec}.
   *
   * @param option the option or parameter that named it, for messages
   * @param mustExist a source: a SQLite file must be there already, and nothing is migrated
   */
  static FlowstoreConfig config(
      String option, String spec, Map<String, String> env, boolean mustExist) {
    return config(option, spec, null, null, env, mustExist);
  }

  /**
   * The configuration that opens {@code spec} with its queue on the Redis {@code queue} (null: the
   * store's own queue), as a server with {@code FLOWSTORE_QUEUE_BACKEND=redis} runs it. The key
   * prefix's environment name is the DSN's {@code env=} parameter, else {@code FLOWSTORE_ENV} from
   * the environment, else {@code default}.
   *
   * @param queueOption the option that named the queue, for messages
   */
  static FlowstoreConfig config(
      String option,
      String spec,
      String queueOption,
      String queue,
      Map<String, String> env,
      boolean mustExist) {
    Map<String, String> m = new HashMap<>();
    if (queue != null) redisQueue(queueOption, queue, env, m);
    m.put("FLOWSTORE_MIGRATE_ON_START", Boolean.toString(!mustExist));
    if (spec.startsWith("sqlite:")) {
      Path dir = Path.of(spec.substring("sqlite:".length()));
      if (mustExist && !Files.isRegularFile(dir.resolve("flowstore.db")))
        throw new FlowstoreException(
            ErrorCode.CONFIGURATION,
            option
                + ": there is no flowstore database at "
                + dir.resolve("flowstore.db").toAbsolutePath()
                + " (name the data directory, the one FLOWSTORE_DATA_DIR names)");
      m.put("FLOWSTORE_STORE_BACKEND", "sqlite");
      m.put("FLOWSTORE_DATA_DIR", dir.toString());
    } else if (spec.startsWith("postgresql://")
        || spec.startsWith("postgres://")
        || spec.startsWith("jdbc:postgresql:")) {
      m.put("FLOWSTORE_STORE_BACKEND", "postgres");
      m.put("POSTGRES_POOL_MAX", "4");
      String role = env.get("POSTGRES_APP_ROLE");
      if (role != null) m.put("POSTGRES_APP_ROLE", role);
      withoutSchema(option, spec, m);
    } else if (spec.startsWith("redis://") || spec.startsWith("rediss://")) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          option
              + ": name the SQL store here, and a deployment's Redis queue beside it with"
              + " --from-queue / --to-queue (copy) or --queue-a / --queue-b (compare)"
              + " (docs/switching.md)");
    } else {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, option + ": '" + spec + "' is not " + FORMS);
    }
    return FlowstoreConfig.fromMap(m);
  }

  /** Puts the Redis queue named by {@code queue} into {@code m}. */
  private static void redisQueue(
      String option, String queue, Map<String, String> env, Map<String, String> m) {
    if (!queue.startsWith("redis://") && !queue.startsWith("rediss://"))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, option + ": '" + queue + "' is not " + QUEUE_FORMS);
    String name = env.getOrDefault("FLOWSTORE_ENV", "default");
    String dsn = queue;
    int q = queue.indexOf('?');
    if (q >= 0) {
      List<String> kept = new ArrayList<>();
      for (String p : queue.substring(q + 1).split("&")) {
        if (p.startsWith("env=")) name = p.substring("env=".length());
        else if (!p.isEmpty()) kept.add(p);
      }
      dsn = queue.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    try {
      URI.create(dsn);
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, option + ": not a valid DSN: " + e.getMessage());
    }
    m.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    m.put("REDIS_DSN", dsn);
    m.put("FLOWSTORE_ENV", name);
  }

  /** Puts the DSN without its {@code schema=} parameter, and the schema, into {@code m}. */
  private static void withoutSchema(String option, String spec, Map<String, String> m) {
    int q = spec.indexOf('?');
    if (q < 0) {
      m.put("POSTGRES_DSN", spec);
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String p : spec.substring(q + 1).split("&")) {
      if (p.startsWith("schema=")) m.put("POSTGRES_SCHEMA", p.substring("schema=".length()));
      else if (!p.isEmpty()) kept.add(p);
    }
    String dsn = spec.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    try {
      URI.create(dsn.startsWith("jdbc:") ? dsn.substring(5) : dsn);
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, option + ": not a valid DSN: " + e.getMessage());
    }
    m.put("POSTGRES_DSN", dsn);
  }
}
