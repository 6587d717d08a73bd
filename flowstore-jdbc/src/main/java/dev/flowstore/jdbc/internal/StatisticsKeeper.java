package dev.flowstore.jdbc.internal;

import dev.flowstore.MetricCounter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's planner statistics for flowstore's own tables where autovacuum does not
 * (POSTGRES_ANALYZE, default on; docs/configuration.md "Planner statistics").
 *
 * <p>why: a table PostgreSQL has never analysed has no statistics, and then the planner cannot tell
 * the primary key {@code (tenant_id, collection, record_id)} from an index that only begins with
 * {@code (tenant_id, collection)}: with the default selectivity both look like a one-row scan, and
 * it may pick the second, which reads every record of the collection to find one. Measured on 5,000
 * records: a get by id took 220 us before the first {@code ANALYZE} and 53 us after, a create 1.7
 * ms and 0.63 ms (the foreign-key checks look records up by key too), a 50-row page 1.8 ms and 0.66
 * ms. Autovacuum analyses a new table within a minute once 50 rows changed; until then, on a
 * cluster where it is off, and after a bulk load ({@code flowstore copy}), flowstore does it.
 *
 * <p>What: every {@link #EVERY}, one query over {@code pg_stat_user_tables} for the tables of the
 * pool's schema that its user may analyse; each table {@link #due} is analysed, one statement each
 * (a transaction of its own with a 1 s lock timeout, so no lock is held or waited for long).
 * Several servers on one schema take turns through an advisory lock; the one that does not get it
 * skips the round. A failure is logged and counted, never thrown: the worst case is plans as
 * before.
 */
final class StatisticsKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatisticsKeeper.class);

  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration EVERY = Duration.ofSeconds(5);

  /** Autovacuum's defaults: analyse once 50 rows plus a tenth of the table changed. */
  static final long BASE_THRESHOLD = 50;

  static final double SCALE_FACTOR = 0.1;

  // why this key: apart from the migration lock's keys; one per schema
  private static final String LOCK = "pg_try_advisory_lock(5217, hashtext(current_schema()))";
  private static final String UNLOCK = "pg_advisory_unlock(5217, hashtext(current_schema()))";

  private static final String TABLES =
      "SELECT s.relname, s.n_mod_since_analyze, c.reltuples,"
          + " s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AS never,"
          + " current_setting('autovacuum') = 'on' AND NOT EXISTS (SELECT 1 FROM"
          + " unnest(coalesce(c.reloptions, '{}')) o WHERE o ~* '^autovacuum_enabled=(false|off|no|0)$')"
          + " AS autovacuum, current_setting('autovacuum') = 'on' AS cluster_autovacuum"
          + " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
          + " WHERE s.schemaname = current_schema()"
          + " AND (pg_has_role(c.relowner, 'USAGE')"
          + " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))";

  private final DataSource pool;
  private final ScheduledExecutorService timer;
  private final AtomicLong analyzed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  // only the keeper's thread reads and writes it
  private boolean warnedNoAutovacuum;

  private StatisticsKeeper(DataSource pool, ScheduledExecutorService timer) {
    this.pool = pool;
    this.timer = timer;
  }

  /** Starts keeping the statistics of the tables {@code pool}'s connections see first. */
  static StatisticsKeeper start(DataSource pool) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowstore-statistics");
              t.setDaemon(true);
              return t;
            });
    StatisticsKeeper k = new StatisticsKeeper(pool, timer);
    timer.scheduleWithFixedDelay(
        k::checkQuietly, FIRST.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return k;
  }

  /**
   * Whether a table needs an {@code ANALYZE} now: {@code modified} rows changed since its last one
   * reached autovacuum's threshold for its size ({@code tuples}, -1 when never counted), and
   * autovacuum will not do it soon: it is off for the table, or the table was never analysed.
   */
  static boolean due(long modified, double tuples, boolean never, boolean autovacuum) {
    if (modified < BASE_THRESHOLD + SCALE_FACTOR * Math.max(0, tuples)) return false;
    return never || !autovacuum;
  }

  private void checkQuietly() {
    try {
      check();
    } catch (SQLException | RuntimeException e) {
      long n = failures.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1)
        log.warn("keeping planner statistics failed ({} times so far): {}", n, e.toString());
    } catch (Error e) {
      failures.incrementAndGet();
      log.error("keeping planner statistics stopped", e);
      throw e;
    }
  }

  /** One round: the tables due, each analysed. Package-visible for tests. */
  void check() throws SQLException {
    try (Connection c = pool.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("SELECT " + LOCK)) {
          if (!rs.next() || !rs.getBoolean(1)) return; // another server's round
        }
        try {
          List<String> due = dueTables(c);
          c.setAutoCommit(false);
          for (String table : due) {
            // why a transaction per table with a lock timeout: ANALYZE queued behind a long lock
            // (a migration) would make every later lock request on the table queue behind it
            st.execute("SET LOCAL lock_timeout = '1s'");
            st.execute("ANALYZE \"" + table.replace("\"", "\"\"") + "\"");
            c.commit();
            analyzed.incrementAndGet();
            log.debug("analysed {}", table);
          }
        } finally {
          if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
          }
          try (ResultSet rs = st.executeQuery("SELECT " + UNLOCK)) {
            rs.next();
          }
        }
      }
    }
  }

  private List<String> dueTables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(TABLES);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!rs.getBoolean("autovacuum") && !warnedNoAutovacuum) {
          warnedNoAutovacuum = true;
          log.warn(
              "autovacuum is off {}: flowstore analyses its tables itself, but nothing removes"
                  + " the dead rows the queue, outbox and sessions leave; turn autovacuum on, or"
                  + " schedule VACUUM",
              rs.getBoolean("cluster_autovacuum")
                  ? "for table " + rs.getString("relname") + " (autovacuum_enabled = off)"
                  : "in this PostgreSQL cluster (autovacuum = off)");
        }
        if (due(
            rs.getLong("n_mod_since_analyze"),
            rs.getDouble("reltuples"),
            rs.getBoolean("never"),
            rs.getBoolean("autovacuum"))) out.add(rs.getString("relname"));
      }
    }
    return out;
  }

  List<MetricCounter> counters() {
    return List.of(
        new MetricCounter(
            "flowstore.db.analyze.runs",
            "Tables flowstore analysed itself (PostgreSQL, POSTGRES_ANALYZE): never analysed yet, or autovacuum off",
            analyzed::get),
        new MetricCounter(
            "flowstore.db.analyze.failures",
            "Rounds of keeping planner statistics that failed (logged; plans stay as they were)",
            failures::get));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    // why: a round in flight holds a pool connection; the pool closes next and would wait for it
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS))
        log.warn("a round of keeping planner statistics was still running at close");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
