package dev.flowstore.chaos;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.jdbc.PostgresDsn;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Store configurations for the scenarios of scenarios 3, 5, 6 and 8: one fresh store per call. */
final class ChaosStores {
  private static final Pattern HOST_PORT =
      Pattern.compile("^jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]*)(\\?.*)?$");

  private ChaosStores() {}

  /** A fresh schema name with {@code prefix}. */
  static String schema(String prefix) {
    return prefix
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
            .toLowerCase(Locale.ROOT);
  }

  static FlowstoreConfig sqlite(Path dir) {
    return FlowstoreConfig.fromMap(
        Map.of("FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.toString()));
  }

  /** A PostgreSQL store in {@code schema} of the database named by {@code dsn}. */
  static FlowstoreConfig postgres(String dsn, String schema, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "postgres");
    m.put("POSTGRES_DSN", dsn);
    m.put("POSTGRES_SCHEMA", schema);
    m.putAll(extra);
    return FlowstoreConfig.fromMap(m);
  }

  /** The host and port of a PostgreSQL DSN (libpq URI or jdbc URL). */
  static String[] hostPort(String dsn) {
    Matcher m = match(dsn);
    return new String[] {m.group(1), m.group(2) == null ? "5432" : m.group(2)};
  }

  /** {@code dsn} pointed at {@code 127.0.0.1:port} instead (same database, user, password). */
  static String viaPort(String dsn, int port) {
    PostgresDsn pg = PostgresDsn.parse(dsn);
    Matcher m = match(dsn);
    StringBuilder url =
        new StringBuilder("jdbc:postgresql://127.0.0.1:")
            .append(port)
            .append('/')
            .append(m.group(3));
    String query = m.group(4) == null ? "" : m.group(4).substring(1);
    if (pg.user() != null) query = add(query, "user", pg.user());
    if (pg.password() != null) query = add(query, "password", pg.password());
    if (!query.isEmpty()) url.append('?').append(query);
    return url.toString();
  }

  private static String add(String query, String key, String value) {
    String kv = key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    return query.isEmpty() ? kv : query + "&" + kv;
  }

  private static Matcher match(String dsn) {
    Matcher m = HOST_PORT.matcher(PostgresDsn.parse(dsn).jdbcUrl());
    if (!m.matches()) throw new IllegalArgumentException("cannot read host and port of " + dsn);
    return m;
  }

  /** Drops a scenario's schema (best effort: a leftover schema is harmless). */
  static void dropSchema(String dsn, String schema) {
    PostgresDsn pg = PostgresDsn.parse(dsn);
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      System.err.println("chaos: cannot drop schema " + schema + ": " + e.getMessage());
    }
  }

  /**
   * Whether an error says that the write's outcome is unknown (it may or may not have committed):
   * the one kind of error a caller may get for a write that did commit.
   */
  static boolean saysOutcomeUnknown(Throwable t) {
    if (t instanceof FlowstoreException f && f.code().name().contains("UNKNOWN")) return true;
    String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    return m.contains("outcome unknown")
        || m.contains("unknown outcome")
        || m.contains("outcome is unknown")
        || m.contains("may or may not have committed")
        || m.contains("may have committed");
  }

  /** An error as "CODE: message" (the message cut to 160 chars). */
  static String describe(Throwable t) {
    String code =
        t instanceof FlowstoreException f ? f.code().name() : t.getClass().getSimpleName();
    String m = String.valueOf(t.getMessage());
    return code + ": " + (m.length() > 160 ? m.substring(0, 160) + "..." : m);
  }

  /** Restores the loggers' levels. */
  interface Quiet extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Raises loggers to ERROR until closed: a scenario that cuts connections on purpose would
   * otherwise print a warning with a stack trace for each cut.
   */
  static Quiet quiet(String... names) {
    java.util.Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> before =
        new java.util.HashMap<>();
    for (String n : names) {
      if (org.slf4j.LoggerFactory.getLogger(n) instanceof ch.qos.logback.classic.Logger l) {
        before.put(l, l.getLevel());
        l.setLevel(ch.qos.logback.classic.Level.ERROR);
      }
    }
    return () -> before.forEach(ch.qos.logback.classic.Logger::setLevel);
  }
}
