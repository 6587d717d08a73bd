package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Counts a tenant's rows in a table behind the API's back (as the schema owner on PostgreSQL, the
 * database file on SQLite), for tests that prove something left no rows behind.
 */
final class StoredRows {
  private StoredRows() {}

  static long count(FlowstoreConfig config, String table, TenantId tenant) {
    try (Connection c = connect(config);
        PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = ?")) {
      ps.setString(1, tenant.value());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection connect(FlowstoreConfig config) throws SQLException {
    if (config.storeBackend().equals("sqlite"))
      return DriverManager.getConnection(
          "jdbc:sqlite:" + config.dataDir().resolve("flowstore.db").toAbsolutePath());
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + PostgresSettings.of(config).schema());
    }
    return c;
  }
}
