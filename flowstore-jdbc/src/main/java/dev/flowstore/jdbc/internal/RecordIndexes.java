package dev.flowstore.jdbc.internal;

import dev.flowstore.Collection;
import dev.flowstore.IndexedField;
import dev.flowstore.internal.CollectionRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expression indexes of records' keys: three per indexed field of each declared collection, on
 * {@code records}, partial on the collection (docs/records.md "The index design, and why"):
 *
 * <ul>
 *   <li>{@code rx_<h>_v (tenant_id, key, record_id)}: a sort by the field, a range of it;
 *   <li>{@code rx_<h>_c (tenant_id, key, created_at, record_id)} and {@code _u} (updated_at): an
 *       equality filter in the records' order, one range scan.
 * </ul>
 *
 * <p>{@code <h>} is a hash of the collection, the pointer and its place in the keys; the key the
 * expression of {@link RecordIndex#keyExpr}. They are made to match the declarations by {@link
 * #ensure}: after a declaration's build, when a store is opened with its migrations, and after a
 * copy. An index is speed only: every query gives the same rows without it (a missing one is a
 * slower plan, never a wrong answer), so a failed build leaves the store working and the next
 * {@link #ensure} retries. On PostgreSQL they are built with {@code CREATE INDEX CONCURRENTLY}:
 * outside any transaction, no write waits for them.
 */
final class RecordIndexes {
  private static final Logger log = LoggerFactory.getLogger(RecordIndexes.class);

  /** The advisory lock of {@link #ensure} on PostgreSQL: one builder at a time per database. */
  private static final long LOCK = 0x666c6f77_72697864L; // "flowrixd"

  private RecordIndexes() {}

  /**
   * A collection's name as an SQL literal. why a literal, not a bound value: a partial index is
   * used only when the statement's own text implies its predicate, on both databases. Safe: names
   * are {@code ^[a-z][a-z0-9_]{0,62}$} ({@link CollectionRules#name}).
   */
  static String literal(String collection) {
    CollectionRules.name("collection", collection);
    return "'" + collection + "'";
  }

  /** The indexes the declarations want: name to what follows {@code ON records}. */
  static Map<String, String> wanted(Dialect d, List<Collection> collections) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Collection col : collections) {
      String where = " WHERE collection = " + literal(col.name());
      for (IndexedField f : col.spec().indexed()) {
        int slot = RecordIndex.slot(col.spec(), f.pointer());
        String base = "rx_" + hash(col.name() + "\u0000" + f.pointer() + "\u0000" + slot);
        String key = RecordIndex.keyExpr(d, null, col.spec(), f.pointer());
        out.put(base + "_v", "(tenant_id, " + key + ", record_id)" + where);
        out.put(base + "_c", "(tenant_id, " + key + ", created_at, record_id)" + where);
        out.put(base + "_u", "(tenant_id, " + key + ", updated_at, record_id)" + where);
      }
    }
    return out;
  }

  private static String hash(String what) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(what.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Builds the indexes the declarations want and drops those they no longer want (a field taken out
   * of the index, a collection gone). A failure is logged and left for the next call: queries stay
   * correct without the index.
   */
  static void ensure(JdbcFlowstore fs) {
    Dialect d = fs.dialect();
    try {
      List<Collection> all = new JdbcCollections(fs).list();
      Map<String, String> wanted = wanted(d, all);
      if (d instanceof PostgresDialect) ensurePostgres(fs, wanted);
      else
        fs.system(
            c -> {
              Map<String, Boolean> have = existing(c, false);
              for (Map.Entry<String, String> w : wanted.entrySet())
                if (!have.containsKey(w.getKey()))
                  execute(c, "CREATE INDEX " + w.getKey() + " ON records " + w.getValue());
              for (String name : have.keySet())
                if (!wanted.containsKey(name)) execute(c, "DROP INDEX IF EXISTS " + name);
              return null;
            });
    } catch (RuntimeException e) {
      log.warn(
          "record indexes: could not build or drop every index of the collections' fields ({}); queries stay correct, slower; retried when a collection is declared or the store is opened",
          e.toString());
    }
  }

  private static void ensurePostgres(JdbcFlowstore fs, Map<String, String> wanted) {
    try (Connection c = fs.writerPool().getConnection()) {
      c.setAutoCommit(true);
      try {
        // why a bound on every wait: CREATE INDEX CONCURRENTLY waits for every transaction older
        // than it, in the whole database; one left open (idle in transaction, or the caller's own
        // on another connection) would hold a declaration up for good. After a minute it fails,
        // the index is left INVALID and the next ensure builds it again
        execute(c, "SET lock_timeout = '60s'");
        // why a try-lock polled, not pg_advisory_lock: a statement waiting on the lock would hold
        // a snapshot that the other process's CREATE INDEX CONCURRENTLY waits for: a deadlock. The
        // holder is another process, so there is nothing in this one to be woken by; and why wait
        // at all rather than leave the work to the holder: it may have read the declarations
        // before this process's declaration committed
        long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (!tryLock(c)) {
          if (System.nanoTime() > giveUp)
            throw new IllegalStateException(
                "another process has been building record indexes for 2 minutes");
          Thread.sleep(50);
        }
        try {
          Map<String, Boolean> have = existing(c, true);
          for (Map.Entry<String, Boolean> h : have.entrySet())
            // why: an invalid index is a build that failed (or was killed); under the lock no
            // other build is running, so it is dropped and built again
            if (!h.getValue()) execute(c, "DROP INDEX CONCURRENTLY IF EXISTS " + h.getKey());
          for (Map.Entry<String, String> w : wanted.entrySet())
            if (!Boolean.TRUE.equals(have.get(w.getKey())))
              execute(
                  c,
                  "CREATE INDEX CONCURRENTLY IF NOT EXISTS "
                      + w.getKey()
                      + " ON records "
                      + w.getValue());
          for (String name : have.keySet())
            if (!wanted.containsKey(name)) execute(c, "DROP INDEX CONCURRENTLY IF EXISTS " + name);
        } finally {
          execute(c, "SELECT pg_advisory_unlock(" + LOCK + ")");
        }
      } finally {
        // why: the connection goes back to the pool; no other statement may keep this timeout
        execute(c, "RESET lock_timeout");
      }
    } catch (SQLException e) {
      throw SqlErrors.translate(fs.dialect(), "building record indexes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to build record indexes", e);
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK + ")")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** The {@code rx_} indexes on records, and whether each is valid (always, on SQLite). */
  private static Map<String, Boolean> existing(Connection c, boolean postgres) throws SQLException {
    String sql =
        postgres
            ? "SELECT i.relname, x.indisvalid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE t.relname = 'records' AND n.nspname = current_schema() AND i.relname LIKE 'rx\\_%'"
            : "SELECT name, 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
                + " AND name LIKE 'rx\\_%' ESCAPE '\\'";
    Map<String, Boolean> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) out.put(rs.getString(1), rs.getBoolean(2));
    }
    return out;
  }

  private static void execute(Connection c, String ddl) throws SQLException {
    if (ddl.startsWith("CREATE") || ddl.startsWith("DROP")) log.info("record indexes: {}", ddl);
    try (Statement s = c.createStatement()) {
      s.execute(ddl);
    }
  }
}
