package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.spi.Mirroring.CaptureState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The mirror's change capture on a primary (docs/mirror.md): triggers on every table the {@link
 * TableCatalog} copies row by row that log, in the writer's own transaction, which rows changed
 * (table, tenant, key) into {@code mirror_changes}. They exist only while capture is on: a database
 * without a mirror pays nothing.
 *
 * <ul>
 *   <li>PostgreSQL: statement-level triggers with transition tables (one {@code INSERT ... SELECT}
 *       per statement, not one per row), a function per table, run as the writer (the application
 *       role may INSERT into {@code mirror_changes}, nothing more). Each table's triggers are
 *       created in a transaction of their own with a short lock timeout, retried: {@code CREATE
 *       TRIGGER} waits for the table's writers in flight, and writers queued behind it wait at most
 *       that long.
 *   <li>SQLite: row triggers (all it has), created in one write transaction; an update trigger
 *       fires only on the copied columns (not on the {@code seq} the tables' own triggers number).
 *       Inserted events are logged as position ranges, from the feed head ({@link
 *       #sqliteEventRanges}).
 * </ul>
 */
final class MirrorCapture {
  static final String PREFIX = "mirror_capture_";
  private static final int ATTEMPTS = 20;

  private MirrorCapture() {}

  /** The tables captured: those a copy copies row by row. */
  static List<TableCatalog.Table> tables() {
    return TableCatalog.tables().stream().filter(t -> t.copy() == TableCatalog.Copy.ROWS).toList();
  }

  /** The key's columns that are logged: the key without the tenant column. */
  static List<String> loggedKey(TableCatalog.Table t) {
    return t.key().stream().filter(k -> !t.tenantColumn().map(k::equals).orElse(false)).toList();
  }

  static void on(JdbcFlowstore store) {
    boolean pg = store.dialect() instanceof PostgresDialect;
    store.system(
        c -> {
          if (pg) {
            for (TableCatalog.Table t : tables()) withRetry(c, postgresOn(t));
          } else {
            List<String> sql = new ArrayList<>();
            for (TableCatalog.Table t : tables()) sql.addAll(sqliteOn(c, t));
            sql.addAll(sqliteEventRanges());
            inTransaction(c, sql);
          }
          return null;
        });
  }

  static void off(JdbcFlowstore store) {
    boolean pg = store.dialect() instanceof PostgresDialect;
    store.system(
        c -> {
          for (TableCatalog.Table t : tables()) {
            List<String> sql = new ArrayList<>();
            if (pg) {
              for (String op : List.of("ins", "upd", "del"))
                sql.add("DROP TRIGGER IF EXISTS " + PREFIX + op + " ON " + t.name());
              sql.add("DROP FUNCTION IF EXISTS " + PREFIX + t.name() + "()");
            } else {
              for (String op : List.of("ins", "upd", "del"))
                sql.add("DROP TRIGGER IF EXISTS " + PREFIX + t.name() + "_" + op);
              for (String op : List.of("ins", "upd"))
                sql.add("DROP TRIGGER IF EXISTS " + PREFIX + "event_feed_heads_" + op);
            }
            if (pg) withRetry(c, sql);
            else inTransaction(c, sql);
          }
          inTransaction(c, List.of("DELETE FROM mirror_changes"));
          return null;
        });
  }

  static CaptureState state(JdbcFlowstore store) {
    return store.system(
        c -> {
          boolean on = triggers(store, c) >= 3L * tables().size();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT COUNT(*), MIN(at) AS oldest FROM mirror_changes")) {
            rs.next();
            long pending = rs.getLong(1);
            Optional<Duration> oldest = Optional.empty();
            if (pending > 0) {
              Instant at = Columns.getTime(store.dialect(), rs, "oldest");
              oldest = Optional.of(age(store, at));
            }
            return new CaptureState(on, pending, oldest);
          }
        });
  }

  static Duration age(JdbcFlowstore store, Instant at) {
    Duration d = Duration.between(at, store.now());
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** How many capture triggers the database has. */
  static long triggers(JdbcFlowstore store, Connection c) throws SQLException {
    String sql =
        store.dialect() instanceof PostgresDialect
            ? "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
                + " WHERE r.relnamespace = current_schema()::regnamespace AND t.tgname LIKE '"
                + PREFIX
                + "%'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '"
                + PREFIX
                + "%'";
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> postgresOn(TableCatalog.Table t) {
    String tenant = t.tenantColumn().map(col -> "r." + col).orElse("''");
    String key =
        "jsonb_build_array("
            + loggedKey(t).stream().map(k -> "r." + k).collect(Collectors.joining(", "))
            + ")::text";
    String log =
        "INSERT INTO mirror_changes (table_name, tenant, row_key) SELECT '" + t.name() + "', ";
    String fn = PREFIX + t.name();
    // why: an append inserts its events in one statement; one entry per tenant naming the
    // positions it wrote ([first, last], as SQLite logs them from the feed head) instead of one per
    // event: a 100-event append logs, and the mirror reads and trims, 1 entry, not 100
    String inserted =
        t.name().equals("events")
            ? "INSERT INTO mirror_changes (table_name, tenant, row_key) SELECT '"
                + EVENT_RANGE
                + "', r.tenant_id, jsonb_build_array(MIN(r.position), MAX(r.position))::text"
                + " FROM mirror_new r GROUP BY r.tenant_id"
            : log + tenant + ", " + key + " FROM mirror_new r";
    String body =
        "BEGIN\n"
            + "  IF TG_OP = 'INSERT' THEN\n    "
            + inserted
            + ";\n"
            + "  ELSIF TG_OP = 'UPDATE' THEN\n    "
            + log
            + "x.tenant, x.row_key FROM (SELECT "
            + tenant
            + " AS tenant, "
            + key
            + " AS row_key FROM mirror_new r UNION SELECT "
            + tenant
            + ", "
            + key
            + " FROM mirror_old r) x;\n"
            + "  ELSE\n    "
            + log
            + tenant
            + ", "
            + key
            + " FROM mirror_old r;\n"
            + "  END IF;\n  RETURN NULL;\nEND";
    List<String> sql = new ArrayList<>();
    sql.add(
        "CREATE OR REPLACE FUNCTION "
            + fn
            + "() RETURNS trigger LANGUAGE plpgsql AS $mirror$\n"
            + body
            + "\n$mirror$");
    for (String op : List.of("ins", "upd", "del"))
      sql.add("DROP TRIGGER IF EXISTS " + PREFIX + op + " ON " + t.name());
    sql.add(
        "CREATE TRIGGER "
            + PREFIX
            + "ins AFTER INSERT ON "
            + t.name()
            + " REFERENCING NEW TABLE AS mirror_new FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn
            + "()");
    sql.add(
        "CREATE TRIGGER "
            + PREFIX
            + "upd AFTER UPDATE ON "
            + t.name()
            + " REFERENCING OLD TABLE AS mirror_old NEW TABLE AS mirror_new FOR EACH STATEMENT"
            + " EXECUTE FUNCTION "
            + fn
            + "()");
    sql.add(
        "CREATE TRIGGER "
            + PREFIX
            + "del AFTER DELETE ON "
            + t.name()
            + " REFERENCING OLD TABLE AS mirror_old FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn
            + "()");
    return sql;
  }

  private static final String SQLITE_NOW =
      "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)";

  private static List<String> sqliteOn(Connection c, TableCatalog.Table t) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + t.name() + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String name = md.getColumnName(i).toLowerCase(Locale.ROOT);
        if (!t.generatedColumns().contains(name)) columns.add(name);
      }
    }
    List<String> sql = new ArrayList<>();
    for (String op : List.of("ins", "upd", "del"))
      sql.add("DROP TRIGGER IF EXISTS " + PREFIX + t.name() + "_" + op);
    // why: events are logged by range from the feed head (sqliteEventRanges), one entry per
    // transaction instead of one per event
    if (!t.name().equals("events"))
      sql.add(
          "CREATE TRIGGER "
              + PREFIX
              + t.name()
              + "_ins AFTER INSERT ON "
              + t.name()
              + " BEGIN "
              + sqliteLog(t, "NEW")
              + "; END");
    String sameKey =
        t.key().stream().map(k -> "OLD." + k + " IS NEW." + k).collect(Collectors.joining(" AND "));
    sql.add(
        "CREATE TRIGGER "
            + PREFIX
            + t.name()
            + "_upd AFTER UPDATE OF "
            + String.join(", ", columns)
            + " ON "
            + t.name()
            + " BEGIN "
            + sqliteLog(t, "NEW")
            + "; "
            + sqliteLog(t, "OLD").replace(" VALUES (", " SELECT ").replaceFirst("\\)$", "")
            + " WHERE NOT ("
            + sameKey
            + "); END");
    sql.add(
        "CREATE TRIGGER "
            + PREFIX
            + t.name()
            + "_del AFTER DELETE ON "
            + t.name()
            + " BEGIN "
            + sqliteLog(t, "OLD")
            + "; END");
    return sql;
  }

  /** The entry's table for a range of a tenant's event positions: {@code [first, last]}. */
  static final String EVENT_RANGE = "events:range";

  /**
   * SQLite's row triggers cost one insert per row; an append of many events would log each. Every
   * append moves its tenant's feed head in the same transaction (positions are the head's, gap
   * free), so one entry per head move names the positions written: {@code [old + 1, new]}. A range
   * may name positions an append gave back (its head was lowered again): the mirror finds no row
   * there, and a later append that takes them logs them again.
   */
  private static List<String> sqliteEventRanges() {
    String log =
        "INSERT INTO mirror_changes (table_name, tenant, row_key, at) VALUES ('"
            + EVENT_RANGE
            + "', NEW.tenant_id, json_array(%s, NEW.last_position), "
            + SQLITE_NOW
            + ")";
    return List.of(
        "DROP TRIGGER IF EXISTS " + PREFIX + "event_feed_heads_ins",
        "DROP TRIGGER IF EXISTS " + PREFIX + "event_feed_heads_upd",
        "CREATE TRIGGER "
            + PREFIX
            + "event_feed_heads_ins AFTER INSERT ON event_feed_heads WHEN NEW.last_position > 0"
            + " BEGIN "
            + String.format(log, "1")
            + "; END",
        "CREATE TRIGGER "
            + PREFIX
            + "event_feed_heads_upd AFTER UPDATE OF last_position ON event_feed_heads"
            + " WHEN NEW.last_position > OLD.last_position BEGIN "
            + String.format(log, "OLD.last_position + 1")
            + "; END");
  }

  private static String sqliteLog(TableCatalog.Table t, String row) {
    String tenant = t.tenantColumn().map(col -> row + "." + col).orElse("''");
    String key =
        "json_array("
            + loggedKey(t).stream().map(k -> row + "." + k).collect(Collectors.joining(", "))
            + ")";
    return "INSERT INTO mirror_changes (table_name, tenant, row_key, at) VALUES ('"
        + t.name()
        + "', "
        + tenant
        + ", "
        + key
        + ", "
        + SQLITE_NOW
        + ")";
  }

  private static void inTransaction(Connection c, List<String> sql) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (String q : sql) s.execute(q);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Runs {@code sql} in one PostgreSQL transaction with a short lock timeout, again while it times
   * out: the DDL waits for the table's writers in flight, and those queued behind it wait at most
   * the timeout, never fail.
   */
  private static void withRetry(Connection c, List<String> sql) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL lock_timeout = '500ms'");
        for (String q : sql) s.execute(q);
        c.commit();
        return;
      } catch (SQLException e) {
        c.rollback();
        // 55P03: lock_not_available (the lock timeout)
        if (!"55P03".equals(e.getSQLState()) || attempt >= ATTEMPTS) throw e;
      } finally {
        c.setAutoCommit(true);
      }
      try {
        Thread.sleep(Math.min(2000, 50L * attempt));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FlowstoreException(ErrorCode.BACKEND_UNAVAILABLE, "interrupted", e);
      }
    }
  }

  /**
   * The entries waiting, and the age of the oldest (what {@link #state} says, without {@code on}).
   */
  static CaptureState pending(JdbcFlowstore store, Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(at) AS oldest FROM mirror_changes")) {
      rs.next();
      long pending = rs.getLong(1);
      Optional<Duration> oldest = Optional.empty();
      if (pending > 0)
        oldest = Optional.of(age(store, Columns.getTime(store.dialect(), rs, "oldest")));
      return new CaptureState(true, pending, oldest);
    }
  }

  /**
   * Drops entries the mirror applied ({@code ids} ascending), one {@code DELETE} per run of
   * consecutive ids: every id of a run was read, so the range holds no other entry (one of a
   * transaction that was in flight breaks the run, it is not inside one). Returns what is still
   * pending.
   */
  static CaptureState consumed(JdbcFlowstore store, List<Long> ids) {
    return store.system(
        c -> {
          c.setAutoCommit(false);
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM mirror_changes WHERE id BETWEEN ? AND ?")) {
            for (int i = 0; i < ids.size(); ) {
              int j = i;
              while (j + 1 < ids.size() && ids.get(j + 1) == ids.get(j) + 1) j++;
              ps.setLong(1, ids.get(i));
              ps.setLong(2, ids.get(j));
              ps.addBatch();
              i = j + 1;
            }
            if (!ids.isEmpty()) ps.executeBatch();
            // why: the lag after the batch, in the same round trips' transaction
            CaptureState after = pending(store, c);
            c.commit();
            return after;
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(true);
          }
        });
  }
}
