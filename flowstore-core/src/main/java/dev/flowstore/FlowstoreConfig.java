package dev.flowstore;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Validated configuration. Built from the environment (and an optional properties file) or from a
 * map of the same keys; every value is checked here, once, and a bad one fails with {@code
 * CONFIGURATION} and a message that starts with the key's name.
 *
 * @param storeBackend {@code FLOWSTORE_STORE_BACKEND}: sqlite (default) or postgres
 * @param queueBackend {@code FLOWSTORE_QUEUE_BACKEND}: sqlite, postgres or redis (default: the
 *     store backend)
 * @param dataDir {@code FLOWSTORE_DATA_DIR}: where SQLite and archives live (default ./data)
 * @param postgres {@code POSTGRES_DSN} parsed, or null
 * @param postgresPoolMin {@code POSTGRES_POOL_MIN} (default 1)
 * @param postgresPoolMax {@code POSTGRES_POOL_MAX} (default 10)
 * @param postgresSchema {@code POSTGRES_SCHEMA}: the schema flowstore's tables live in (default
 *     flowstore)
 * @param postgresAppRole {@code POSTGRES_APP_ROLE}: the role tenant queries run as (default
 *     flowstore_app); "none" runs them as the DSN's login user, which then must not be superuser,
 *     BYPASSRLS or owner
 * @param redisDsn {@code REDIS_DSN}, or null
 * @param httpHost {@code FLOWSTORE_HTTP_HOST} (default 127.0.0.1)
 * @param httpPort {@code FLOWSTORE_HTTP_PORT} (default 8080; 0 picks a free port)
 * @param maxPayloadBytes {@code FLOWSTORE_MAX_PAYLOAD_BYTES}: per event or job payload (default 1
 *     MiB)
 * @param migrateOnStart {@code FLOWSTORE_MIGRATE_ON_START} (default true)
 * @param idempotencyTtlHours {@code IDEMPOTENCY_TTL_HOURS} (default 24)
 * @param outboxPollIntervalMs {@code OUTBOX_POLL_INTERVAL_MS}: how often outbox relays poll
 *     (default 500)
 * @param jobRetentionHours {@code JOB_RETENTION_HOURS}: the sweeper deletes jobs that succeeded
 *     longer ago than this (default 24; 0 keeps them forever)
 * @param outboxRetentionHours {@code OUTBOX_RETENTION_HOURS}: the sweeper deletes outbox messages
 *     published longer ago than this (default 24; 0 keeps them forever)
 * @param redisVisibilityTimeoutSeconds {@code REDIS_QUEUE_VISIBILITY_TIMEOUT_S}: default lease of
 *     the Redis queue (default 30)
 * @param env {@code FLOWSTORE_ENV}: the environment name in Redis keys {@code flowstore:{env}:...}
 *     (default {@code default})
 * @param cache {@code FLOWSTORE_CACHE}: {@code none} (default) or {@code redis}, a read-through
 *     cache of sessions on {@code REDIS_DSN} (docs/operations.md "Cache")
 */
public record FlowstoreConfig(
    String storeBackend,
    String queueBackend,
    Path dataDir,
    PostgresDsn postgres,
    int postgresPoolMin,
    int postgresPoolMax,
    String postgresSchema,
    String postgresAppRole,
    String redisDsn,
    String httpHost,
    int httpPort,
    int maxPayloadBytes,
    boolean migrateOnStart,
    int idempotencyTtlHours,
    int outboxPollIntervalMs,
    int jobRetentionHours,
    int outboxRetentionHours,
    int redisVisibilityTimeoutSeconds,
    String env,
    String cache) {

  /** The keys flowstore reads. */
  public static final Set<String> KEYS =
      Set.of(
          "FLOWSTORE_STORE_BACKEND",
          "FLOWSTORE_QUEUE_BACKEND",
          "FLOWSTORE_DATA_DIR",
          "POSTGRES_DSN",
          "POSTGRES_POOL_MIN",
          "POSTGRES_POOL_MAX",
          "POSTGRES_SCHEMA",
          "POSTGRES_APP_ROLE",
          "REDIS_DSN",
          "REDIS_QUEUE_VISIBILITY_TIMEOUT_S",
          "IDEMPOTENCY_TTL_HOURS",
          "OUTBOX_POLL_INTERVAL_MS",
          "JOB_RETENTION_HOURS",
          "OUTBOX_RETENTION_HOURS",
          "FLOWSTORE_HTTP_HOST",
          "FLOWSTORE_HTTP_PORT",
          "FLOWSTORE_MAX_PAYLOAD_BYTES",
          "FLOWSTORE_MIGRATE_ON_START",
          "FLOWSTORE_ENV",
          "FLOWSTORE_CACHE",
          "FLOWSTORE_CONFIG");

  /** The longest JOB_RETENTION_HOURS / OUTBOX_RETENTION_HOURS: ten years. */
  public static final int MAX_RETENTION_HOURS = 24 * 3650;

  /**
   * Reads {@code flowstore.properties} (or the file named by {@code FLOWSTORE_CONFIG}) if present,
   * then the environment on top of it: the environment wins.
   */
  public static FlowstoreConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** As {@link #fromEnvironment()}, from an explicit environment map. */
  public static FlowstoreConfig fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, Map.of());
  }

  /**
   * As {@link #fromEnvironment()}, from an explicit environment map, with {@code overrides} (e.g.
   * command-line options) on top of both the file and the environment.
   */
  public static FlowstoreConfig fromEnvironment(
      Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>();
    String file = env.get("FLOWSTORE_CONFIG");
    Path path = Path.of(file == null || file.isBlank() ? "flowstore.properties" : file);
    if (Files.exists(path)) {
      merged.putAll(readProperties(path));
    } else if (file != null && !file.isBlank()) {
      throw bad("FLOWSTORE_CONFIG", "file " + path + " does not exist");
    }
    for (String key : KEYS) {
      if (env.containsKey(key)) merged.put(key, env.get(key));
    }
    merged.putAll(overrides);
    return fromMap(merged);
  }

  /** Builds a configuration from explicit keys (unset keys take their defaults). */
  public static FlowstoreConfig fromMap(Map<String, String> values) {
    Map<String, String> v = new HashMap<>();
    values.forEach(
        (k, val) -> {
          if (val != null && !val.isBlank()) v.put(k, val.trim());
        });
    String store = oneOf(v, "FLOWSTORE_STORE_BACKEND", "sqlite", Set.of("sqlite", "postgres"));
    String queue =
        oneOf(v, "FLOWSTORE_QUEUE_BACKEND", store, Set.of("sqlite", "postgres", "redis"));
    if (!queue.equals(store) && !queue.equals("redis")) {
      throw bad(
          "FLOWSTORE_QUEUE_BACKEND",
          "'"
              + queue
              + "' differs from FLOWSTORE_STORE_BACKEND '"
              + store
              + "'; a SQL queue must use the store's database (or use redis)");
    }
    Path dataDir = Path.of(v.getOrDefault("FLOWSTORE_DATA_DIR", "data"));
    PostgresDsn pg =
        v.containsKey("POSTGRES_DSN") ? PostgresDsn.parse(v.get("POSTGRES_DSN")) : null;
    if (pg == null && (store.equals("postgres") || queue.equals("postgres"))) {
      throw bad(
          "POSTGRES_DSN",
          "required when FLOWSTORE_STORE_BACKEND=postgres (e.g. postgresql://user:password@127.0.0.1:5432/db)");
    }
    String redis = v.get("REDIS_DSN");
    if (redis != null && !(redis.startsWith("redis://") || redis.startsWith("rediss://"))) {
      throw bad("REDIS_DSN", "must look like redis://[user:password@]host:6379/0 or rediss://...");
    }
    if (redis == null && queue.equals("redis")) {
      throw bad(
          "REDIS_DSN",
          "required when FLOWSTORE_QUEUE_BACKEND=redis (e.g. redis://127.0.0.1:6379/0)");
    }
    String cache = oneOf(v, "FLOWSTORE_CACHE", "none", Set.of("none", "redis"));
    if (redis == null && cache.equals("redis")) {
      throw bad("REDIS_DSN", "required when FLOWSTORE_CACHE=redis (e.g. redis://127.0.0.1:6379/0)");
    }
    int poolMin = intIn(v, "POSTGRES_POOL_MIN", 1, 0, 1000);
    int poolMax = intIn(v, "POSTGRES_POOL_MAX", 10, 1, 1000);
    if (poolMin > poolMax)
      throw bad("POSTGRES_POOL_MIN", poolMin + " is larger than POSTGRES_POOL_MAX " + poolMax);
    String schema = v.getOrDefault("POSTGRES_SCHEMA", "flowstore");
    if (!schema.matches("^[a-z_][a-z0-9_]{0,62}$"))
      throw bad("POSTGRES_SCHEMA", "must be a lower-case SQL identifier, got '" + schema + "'");
    String role = v.getOrDefault("POSTGRES_APP_ROLE", "flowstore_app");
    if (!role.matches("^[a-z_][a-z0-9_]{0,62}$"))
      throw bad(
          "POSTGRES_APP_ROLE", "must be a lower-case SQL identifier or 'none', got '" + role + "'");
    String env = v.getOrDefault("FLOWSTORE_ENV", "default");
    if (!env.matches("^[a-z0-9][a-z0-9_-]{0,31}$")) {
      throw bad("FLOWSTORE_ENV", "must be 1-32 chars of a-z, 0-9, '_' or '-', got '" + env + "'");
    }
    return new FlowstoreConfig(
        store,
        queue,
        dataDir,
        pg,
        poolMin,
        poolMax,
        schema,
        role,
        redis,
        v.getOrDefault("FLOWSTORE_HTTP_HOST", "127.0.0.1"),
        intIn(v, "FLOWSTORE_HTTP_PORT", 8080, 0, 65535),
        intIn(v, "FLOWSTORE_MAX_PAYLOAD_BYTES", 1 << 20, 1, 64 << 20),
        bool(v, "FLOWSTORE_MIGRATE_ON_START", true),
        intIn(v, "IDEMPOTENCY_TTL_HOURS", 24, 1, 24 * 365),
        intIn(v, "OUTBOX_POLL_INTERVAL_MS", 500, 1, 3_600_000),
        intIn(v, "JOB_RETENTION_HOURS", 24, 0, MAX_RETENTION_HOURS),
        intIn(v, "OUTBOX_RETENTION_HOURS", 24, 0, MAX_RETENTION_HOURS),
        intIn(v, "REDIS_QUEUE_VISIBILITY_TIMEOUT_S", 30, 1, 86_400),
        env,
        cache);
  }

  /** A copy with another HTTP port (tests use 0 for a free one). */
  public FlowstoreConfig withHttpPort(int port) {
    return new FlowstoreConfig(
        storeBackend,
        queueBackend,
        dataDir,
        postgres,
        postgresPoolMin,
        postgresPoolMax,
        postgresSchema,
        postgresAppRole,
        redisDsn,
        httpHost,
        port,
        maxPayloadBytes,
        migrateOnStart,
        idempotencyTtlHours,
        outboxPollIntervalMs,
        jobRetentionHours,
        outboxRetentionHours,
        redisVisibilityTimeoutSeconds,
        env,
        cache);
  }

  /** JOB_RETENTION_HOURS as a duration, or null when succeeded jobs are kept forever (0). */
  public java.time.Duration jobRetention() {
    return jobRetentionHours == 0 ? null : java.time.Duration.ofHours(jobRetentionHours);
  }

  /** OUTBOX_RETENTION_HOURS as a duration, or null when published messages are kept forever (0). */
  public java.time.Duration outboxRetention() {
    return outboxRetentionHours == 0 ? null : java.time.Duration.ofHours(outboxRetentionHours);
  }

  /** Whether the HTTP server binds only to the loopback interface. */
  public boolean loopbackOnly() {
    return isLoopback(httpHost);
  }

  /** Whether a bind address is a loopback one (127.x, localhost, ::1). */
  public static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.equals("::1")
        || host.equals("[::1]")
        || host.startsWith("127.");
  }

  /**
   * A PostgreSQL connection target.
   *
   * @param jdbcUrl a {@code jdbc:postgresql:} URL without credentials
   * @param user null to let the driver decide
   * @param password null for none
   */
  public record PostgresDsn(String jdbcUrl, String user, String password) {
    /**
     * Parses {@code postgresql://user:password@host:5432/db?sslmode=...} or a {@code
     * jdbc:postgresql:} URL.
     */
    public static PostgresDsn parse(String dsn) {
      if (dsn.startsWith("jdbc:postgresql:")) return new PostgresDsn(dsn, null, null);
      if (!(dsn.startsWith("postgresql://") || dsn.startsWith("postgres://"))) {
        throw bad("POSTGRES_DSN", "must start with postgresql:// or jdbc:postgresql:");
      }
      URI uri;
      try {
        uri = URI.create(dsn);
      } catch (IllegalArgumentException e) {
        throw bad("POSTGRES_DSN", "is not a valid URI: " + e.getMessage());
      }
      if (uri.getHost() == null) throw bad("POSTGRES_DSN", "names no host");
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        if (parts.length == 2) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
      }
      String db =
          uri.getRawPath() == null || uri.getRawPath().length() <= 1
              ? "postgres"
              : uri.getRawPath().substring(1);
      String url =
          "jdbc:postgresql://"
              + uri.getHost()
              + ":"
              + (uri.getPort() < 0 ? 5432 : uri.getPort())
              + "/"
              + db;
      if (uri.getRawQuery() != null) url += "?" + uri.getRawQuery();
      return new PostgresDsn(url, user, password);
    }

    @Override
    public String toString() {
      return jdbcUrl + (user == null ? "" : " as " + user);
    }
  }

  private static Map<String, String> readProperties(Path path) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(path)) {
      p.load(r);
    } catch (IOException e) {
      throw bad("FLOWSTORE_CONFIG", "cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> out = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (!KEYS.contains(name))
        throw bad(
            name,
            "unknown key in "
                + path
                + " (known: "
                + String.join(", ", KEYS.stream().sorted().toList())
                + ")");
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  private static String oneOf(Map<String, String> v, String key, String dflt, Set<String> allowed) {
    String value = v.getOrDefault(key, dflt).toLowerCase();
    if (!allowed.contains(value))
      throw bad(
          key,
          "must be one of " + allowed.stream().sorted().toList() + ", got '" + v.get(key) + "'");
    return value;
  }

  private static int intIn(Map<String, String> v, String key, int dflt, int min, int max) {
    String s = v.get(key);
    if (s == null) return dflt;
    try {
      int n = Integer.parseInt(s);
      if (n < min || n > max)
        throw bad(key, "must be between " + min + " and " + max + ", got " + n);
      return n;
    } catch (NumberFormatException e) {
      throw bad(key, "must be an integer, got '" + s + "'");
    }
  }

  private static boolean bool(Map<String, String> v, String key, boolean dflt) {
    String s = v.get(key);
    if (s == null) return dflt;
    return switch (s.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw bad(key, "must be true or false, got '" + s + "'");
    };
  }

  private static FlowstoreException bad(String key, String what) {
    return new FlowstoreException(ErrorCode.CONFIGURATION, key + ": " + what);
  }
}
