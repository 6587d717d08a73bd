package dev.flowstore.testkit;

import dev.flowstore.FlowstoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Configurations for tests, one fresh, isolated store per call.
 *
 * <p>PostgreSQL: the server named by {@code POSTGRES_DSN}; when it is unset, an embedded PostgreSQL
 * is started once per JVM (so a fresh machine with only a JDK passes). In CI ({@code CI=true}) an
 * unset {@code POSTGRES_DSN} is an error, not a fallback: CI must test the real server it started.
 * Each call gets its own schema, so test classes never see each other's rows.
 */
public final class TestBackends {
  private static volatile String embeddedDsn;
  private static volatile String embeddedRedisDsn;

  private TestBackends() {}

  /** Directories {@link #tempDir} made, deleted when the JVM exits. */
  private static final java.util.Queue<Path> TEMP_DIRS =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Path dir : TEMP_DIRS) deleteTree(dir);
                },
                "flowstore-test-temp-dirs"));
  }

  /**
   * A new temporary directory, deleted with everything in it when the test JVM exits (not before: a
   * test may reopen a store it closed). why: a full run made ~300 of them, up to a few MB each, and
   * left them in the temporary directory run after run.
   */
  public static Path tempDir(String prefix) {
    try {
      Path dir = java.nio.file.Files.createTempDirectory(prefix);
      TEMP_DIRS.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = java.nio.file.Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  java.nio.file.Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort at exit: a file still open elsewhere stays
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // gone already, or unreadable: nothing more to do at exit
    }
  }

  /** A SQLite store in {@code dir}. */
  public static FlowstoreConfig sqlite(Path dir) {
    return FlowstoreConfig.fromMap(
        Map.of("FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.toString()));
  }

  /** A SQLite store in a new temporary directory. */
  public static FlowstoreConfig sqliteTemp() {
    return sqlite(tempDir("flowstore-test-"));
  }

  /** A PostgreSQL store in a new schema. */
  public static FlowstoreConfig postgres() {
    return postgres(Map.of());
  }

  /** A PostgreSQL store in a new schema, with extra keys. */
  public static FlowstoreConfig postgres(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "postgres");
    m.put("POSTGRES_DSN", postgresDsn());
    m.put(
        "POSTGRES_SCHEMA",
        "t_"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                .toLowerCase(Locale.ROOT));
    m.put("POSTGRES_POOL_MAX", "8");
    m.putAll(extra);
    FlowstoreConfig config = FlowstoreConfig.fromMap(m);
    dropAtExit(config);
    return config;
  }

  private static final java.util.Set<FlowstoreConfig> CREATED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Remembers a test schema and, once per JVM, registers a shutdown hook that drops every one still
   * there — tests that open stores outside {@link FlowstoreTestBase} leave none behind either.
   */
  private static void dropAtExit(FlowstoreConfig config) {
    synchronized (CREATED) {
      if (CREATED.isEmpty()) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      for (FlowstoreConfig c : CREATED) {
                        try {
                          drop(c);
                        } catch (RuntimeException e) {
                          // the JVM is exiting; a schema left behind is harmless
                        }
                      }
                    },
                    "flowstore-test-schemas"));
      }
      CREATED.add(config);
    }
  }

  /**
   * Drops what a test store left behind: its PostgreSQL schema (SQLite temp files are left to the
   * OS).
   */
  public static void drop(FlowstoreConfig config) {
    if (!config.storeBackend().equals("postgres")) return;
    String schema = schema(config);
    try (java.sql.Connection c = ownerConnection(config);
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot drop test schema " + schema, e);
    }
  }

  /** The schema of a PostgreSQL test store: every test store names its own. */
  private static String schema(FlowstoreConfig config) {
    String schema = config.given("POSTGRES_SCHEMA");
    if (schema == null) throw new IllegalArgumentException("a test store sets POSTGRES_SCHEMA");
    return schema;
  }

  /**
   * A connection to a PostgreSQL store's database as the POSTGRES_DSN user, the schema's owner. Why
   * POSTGRES_DSN is read again here: flowstore-jdbc, which owns the key (and whose tests use this
   * kit), cannot be a dependency of the kit; the configuration has checked the value.
   */
  private static java.sql.Connection ownerConnection(FlowstoreConfig config)
      throws java.sql.SQLException {
    String dsn = config.given("POSTGRES_DSN");
    if (dsn.startsWith("jdbc:")) return java.sql.DriverManager.getConnection(dsn);
    java.net.URI uri = java.net.URI.create(dsn);
    java.util.Properties login = new java.util.Properties();
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      login.setProperty("user", URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
      if (parts.length == 2)
        login.setProperty("password", URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
    }
    String path =
        uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "/postgres" : uri.getRawPath();
    return java.sql.DriverManager.getConnection(
        "jdbc:postgresql://"
            + uri.getHost()
            + ":"
            + (uri.getPort() < 0 ? 5432 : uri.getPort())
            + path
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
        login);
  }

  /**
   * Runs one statement directly on a store's database as its owner (PostgreSQL: with RLS not forced
   * on the owner's session it would still apply, so the statement runs with row security off),
   * going around flowstore entirely: tests use it to tamper with data behind flowstore's back.
   */
  public static void executeAsOwner(FlowstoreConfig config, String sql) {
    try {
      if (config.storeBackend().equals("postgres")) {
        try (java.sql.Connection c = ownerConnection(config);
            java.sql.Statement s = c.createStatement()) {
          s.execute("SET search_path TO " + schema(config));
          s.execute("SET row_security = off");
          s.execute(sql);
        }
      } else {
        String url = "jdbc:sqlite:" + config.dataDir().resolve("flowstore.db").toAbsolutePath();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
            java.sql.Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = 10000");
          s.execute(sql);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot run " + sql, e);
    }
  }

  /** The DSN of the test PostgreSQL server (starting the embedded one if needed). */
  public static String postgresDsn() {
    String dsn = System.getenv("POSTGRES_DSN");
    if (dsn != null && !dsn.isBlank()) return dsn;
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "POSTGRES_DSN is unset in CI: .ci/run must start PostgreSQL and export POSTGRES_DSN");
    }
    if (embeddedDsn == null) {
      synchronized (TestBackends.class) {
        if (embeddedDsn == null) {
          try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime()
                .addShutdownHook(
                    new Thread(
                        () -> {
                          try {
                            pg.close();
                          } catch (IOException ignored) {
                            // the JVM is exiting
                          }
                        }));
            embeddedDsn = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot start embedded PostgreSQL (set POSTGRES_DSN to use a server)", e);
          }
        }
      }
    }
    return embeddedDsn;
  }

  /**
   * A SQLite store in a new temporary directory with its queue on Redis ({@code
   * FLOWSTORE_QUEUE_BACKEND=redis}, {@code REDIS_DSN} = {@link #redisDsn()} on database {@code
   * db}).
   */
  public static FlowstoreConfig sqliteWithRedisQueue(int db) {
    return sqliteWithRedis("FLOWSTORE_QUEUE_BACKEND", db);
  }

  /**
   * A SQLite store in a new temporary directory with the Redis session cache ({@code
   * FLOWSTORE_CACHE=redis}, {@code REDIS_DSN} = {@link #redisDsn()} on database {@code db}) and the
   * SQL queue.
   */
  public static FlowstoreConfig sqliteWithRedisCache(int db) {
    return sqliteWithRedis("FLOWSTORE_CACHE", db);
  }

  /** A SQLite store in a new temporary directory with {@code key=redis} on database {@code db}. */
  private static FlowstoreConfig sqliteWithRedis(String key, int db) {
    return FlowstoreConfig.fromMap(
        Map.of(
            "FLOWSTORE_STORE_BACKEND",
            "sqlite",
            "FLOWSTORE_DATA_DIR",
            tempDir("flowstore-test-").toString(),
            key,
            "redis",
            "REDIS_DSN",
            redisDsn(db)));
  }

  /** {@link #redisDsn()} with another database index (test classes each use their own). */
  public static String redisDsn(int db) {
    String dsn = redisDsn();
    java.net.URI uri = java.net.URI.create(dsn);
    return uri.getScheme()
        + "://"
        + (uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@")
        + uri.getHost()
        + ":"
        + (uri.getPort() < 0 ? 6379 : uri.getPort())
        + "/"
        + db
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /**
   * The DSN of the test Redis: {@code REDIS_DSN}; in CI ({@code CI=true}) an unset one is an error;
   * otherwise an embedded Redis (a binary shipped in the embedded-redis jar) is started once per
   * JVM on a free port, without persistence.
   */
  public static String redisDsn() {
    String dsn = System.getenv("REDIS_DSN");
    if (dsn != null && !dsn.isBlank()) return dsn;
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "REDIS_DSN is unset in CI: .ci/run must start Redis and export REDIS_DSN");
    }
    if (embeddedRedisDsn == null) {
      synchronized (TestBackends.class) {
        if (embeddedRedisDsn == null) {
          int port = freePort();
          try {
            redis.embedded.RedisServer server =
                redis.embedded.RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            Runtime.getRuntime()
                .addShutdownHook(
                    new Thread(
                        () -> {
                          try {
                            server.stop();
                          } catch (IOException ignored) {
                            // the JVM is exiting
                          }
                        }));
            embeddedRedisDsn = "redis://127.0.0.1:" + port + "/0";
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot start embedded Redis (set REDIS_DSN to use a server)", e);
          }
        }
      }
    }
    return embeddedRedisDsn;
  }

  /** A TCP port nobody listens on now. */
  public static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
