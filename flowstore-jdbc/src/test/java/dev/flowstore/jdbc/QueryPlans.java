package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * EXPLAIN for PostgreSQL index tests: plans are taken as the application role with the tenant set
 * (row-level security in force, as in production) and sequential scans priced out.
 */
public final class QueryPlans {
  /** Binds a statement's parameters (a statement built by the engine binds its own). */
  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private final FlowstoreConfig config;
  private final String tenant;

  public QueryPlans(FlowstoreConfig config, String tenant) {
    this.config = config;
    this.tenant = tenant;
  }

  /** A connection as the schema owner, search_path set. */
  public Connection raw() throws SQLException {
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + PostgresSettings.of(config).schema());
    }
    return c;
  }

  /**
   * Runs seeding statements in one transaction with the tenant set, then ANALYZEs {@code tables}.
   */
  void seed(String tables, String... statements) throws SQLException {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT set_config('app.current_tenant', '" + tenant + "', true)");
      for (String sql : statements) s.execute(sql);
      c.commit();
      c.setAutoCommit(true);
      s.execute("VACUUM ANALYZE " + tables);
    }
  }

  String plan(String sql, Object... args) throws SQLException {
    return plan(
        sql,
        ps -> {
          for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        });
  }

  public String plan(String sql, Binder binder) throws SQLException {
    return plan(sql, binder, false);
  }

  /**
   * The plan the planner picks of itself: as {@link #plan(String, Binder)}, but with no setting
   * changed (sequential scans priced as usual), and {@code ANALYZE}d when {@code analyze} (the
   * statement runs; its actual row counts show what a plan re-reads).
   */
  public String planAsIs(String sql, Binder binder, boolean analyze) throws SQLException {
    try (Connection c = raw()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL ROLE " + PostgresSettings.of(config).appRole());
        s.execute("SELECT set_config('app.current_tenant', '" + tenant + "', true)");
      }
      StringBuilder out = new StringBuilder();
      try (PreparedStatement ps =
          c.prepareStatement("EXPLAIN " + (analyze ? "(ANALYZE, COSTS OFF) " : "") + sql)) {
        binder.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.append(rs.getString(1)).append('\n');
        }
      }
      c.rollback();
      return out.toString();
    }
  }

  private String plan(String sql, Binder binder, boolean unused) throws SQLException {
    try (Connection c = raw()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL ROLE " + PostgresSettings.of(config).appRole());
        s.execute("SELECT set_config('app.current_tenant', '" + tenant + "', true)");
        s.execute("SET LOCAL enable_seqscan = off");
      }
      StringBuilder out = new StringBuilder();
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
        binder.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.append(rs.getString(1)).append('\n');
        }
      }
      c.rollback();
      return out.toString();
    }
  }

  void assertUses(String index, String sql, Object... args) throws SQLException {
    String plan = plan(sql, args);
    assertThat(plan).as(sql + "\n" + plan).contains(index).doesNotContain("Seq Scan");
  }
}
