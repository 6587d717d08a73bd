package dev.flowstore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.jdbc.PostgresDsn;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the benchmark runs: PostgreSQL at {@code POSTGRES_DSN}, Redis at {@code REDIS_DSN}, and
 * fresh schemas, SQLite files and a dedicated Redis database per scenario.
 */
final class Env {
  static final String DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test";
  static final String DEFAULT_REDIS = "redis://127.0.0.1:6379/0";

  /** The Redis database index the benchmark owns (the redis module's tests use 10-14). */
  static final int REDIS_DB = 9;

  static final ObjectMapper JSON = new ObjectMapper();

  /** The event / job payload every row writes (about 80 bytes of JSON). */
  static final String PAYLOAD_TEXT =
      "{\"order_id\":12345,\"amount\":42.5,\"currency\":\"EUR\",\"note\":\"benchmark payload\"}";

  final String postgresDsn;
  final String redisDsn;
  final PostgresDsn pg;

  Env(Map<String, String> env) {
    this.postgresDsn = env.getOrDefault("POSTGRES_DSN", DEFAULT_POSTGRES);
    this.redisDsn = env.getOrDefault("REDIS_DSN", DEFAULT_REDIS);
    this.pg = PostgresDsn.parse(postgresDsn);
  }

  static ObjectNode payload() {
    try {
      return (ObjectNode) JSON.readTree(PAYLOAD_TEXT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String newName(String prefix) {
    return prefix
        + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
            .toLowerCase(Locale.ROOT);
  }

  /** A flowstore on PostgreSQL in a new schema. */
  FlowstoreConfig flowstorePg(String schema, int pool, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "postgres");
    m.put("POSTGRES_DSN", postgresDsn);
    m.put("POSTGRES_SCHEMA", schema);
    m.put("POSTGRES_POOL_MAX", Integer.toString(pool));
    m.putAll(extra);
    return FlowstoreConfig.fromMap(m);
  }

  /** A flowstore on SQLite in {@code dir}. */
  static FlowstoreConfig flowstoreSqlite(Path dir, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "sqlite");
    m.put("FLOWSTORE_DATA_DIR", dir.toString());
    m.putAll(extra);
    return FlowstoreConfig.fromMap(m);
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a temp dir
                }
              });
    } catch (IOException ignored) {
      // best effort: a temp dir
    }
  }

  /** A connection as the DSN's user (the schema owner), durable commits. */
  Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    try (Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = on");
    }
    return c;
  }

  /** A pool for a baseline, whose connections work in {@code schema}. */
  HikariDataSource pool(String schema, int size) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(pg.jdbcUrl());
    if (pg.user() != null) hc.setUsername(pg.user());
    if (pg.password() != null) hc.setPassword(pg.password());
    hc.setSchema(schema);
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(0);
    hc.setPoolName("bench-" + schema);
    hc.setConnectionInitSql("SET synchronous_commit = on");
    return new HikariDataSource(hc);
  }

  void execute(String... sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String q : sql) s.execute(q);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run " + String.join("; ", sql), e);
    }
  }

  void createSchema(String schema) {
    execute("CREATE SCHEMA " + schema);
  }

  void dropSchema(String schema) {
    try {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (RuntimeException e) {
      System.err.println("bench: could not drop schema " + schema + ": " + e.getMessage());
    }
  }

  /** {@code REDIS_DSN} with the benchmark's own database index. */
  String redisDsn(int db) {
    URI uri = URI.create(redisDsn);
    return uri.getScheme()
        + "://"
        + (uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@")
        + uri.getHost()
        + ":"
        + (uri.getPort() < 0 ? 6379 : uri.getPort())
        + "/"
        + db;
  }

  /** Empties the benchmark's own Redis database (never another one: no FLUSHALL). */
  void flushBenchRedisDb() {
    RedisClient client = RedisClient.create(RedisURI.create(redisDsn(REDIS_DB)));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushdb();
    } finally {
      client.shutdown();
    }
  }

  String postgresVersion() {
    try (Connection c = connect();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      return "unreachable (" + e.getMessage() + ")";
    }
  }

  String redisVersion() {
    RedisClient client = RedisClient.create(RedisURI.create(redisDsn(REDIS_DB)));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (String line : c.sync().info("server").split("\r?\n")) {
        if (line.startsWith("redis_version:")) return line.substring("redis_version:".length());
      }
      return "?";
    } catch (RuntimeException e) {
      return "unreachable (" + e.getMessage() + ")";
    } finally {
      client.shutdown();
    }
  }
}
