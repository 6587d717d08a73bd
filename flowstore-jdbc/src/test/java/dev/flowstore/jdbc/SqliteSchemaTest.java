package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SQLite's side of the schema invariant PostgresRowLevelSecurityTest checks on PostgreSQL: the
 * primary key and every unique index of every tenant table lead with tenant_id. Tables are read
 * from the catalog, so new ones are covered without editing this test.
 */
class SqliteSchemaTest extends FlowstoreTestBase {
  private static final Set<String> NON_TENANT =
      Set.of("api_keys", "tenants", "flyway_schema_history");

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Test
  void everyPrimaryKeyAndUniqueIndexOfATenantTableLeadsWithTenantId() throws SQLException {
    String url = "jdbc:sqlite:" + fs.config().dataDir().resolve("flowstore.db").toAbsolutePath();
    List<String> problems = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
        while (rs.next()) if (!NON_TENANT.contains(rs.getString(1))) tables.add(rs.getString(1));
      }
      for (String table : tables) {
        String firstPk = null;
        int lowest = Integer.MAX_VALUE;
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
          while (rs.next()) {
            int pk = rs.getInt("pk");
            if (pk > 0 && pk < lowest) {
              lowest = pk;
              firstPk = rs.getString("name");
            }
          }
        }
        if (firstPk != null && !firstPk.equals("tenant_id"))
          problems.add(table + " primary key starts with " + firstPk);
        List<String> unique = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("PRAGMA index_list(" + table + ")")) {
          while (rs.next()) if (rs.getInt("unique") == 1) unique.add(rs.getString("name"));
        }
        for (String index : unique) {
          try (ResultSet rs = s.executeQuery("PRAGMA index_info(" + index + ")")) {
            if (rs.next() && !"tenant_id".equals(rs.getString("name")))
              problems.add(table + "." + index + " starts with " + rs.getString("name"));
          }
        }
      }
    }
    assertThat(tables).contains("events", "sessions", "jobs", "outbox", "audit_log");
    assertThat(problems).isEmpty();
  }
}
