package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.jdbc.internal.TableCatalog;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SQLite's side of the schema invariant PostgresRowLevelSecurityTest checks on PostgreSQL: the
 * primary key and every unique index of every tenant table lead with tenant_id. The tenant tables
 * are the catalog's ({@link TableCatalog#tenantTables}), so new ones are covered without editing
 * this test; what is checked, the keys and unique indexes, is read from the migrated database
 * (TableCatalogTest holds the catalog's keys to it, but not that they lead with tenant_id, and
 * reads no unique index).
 */
class SqliteSchemaTest extends FlowstoreTestBase {
  // why: the one exception (docs/architecture.md "Tenancy"): a key is found by its id or hash
  // before its tenant is known
  private static final String FOUND_BEFORE_ITS_TENANT = "api_keys";

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Test
  void everyPrimaryKeyAndUniqueIndexOfATenantTableLeadsWithTenantId() throws SQLException {
    String url = "jdbc:sqlite:" + fs.config().dataDir().resolve("flowstore.db").toAbsolutePath();
    List<String> problems = new ArrayList<>();
    List<String> tables =
        TableCatalog.tenantTables().stream()
            .map(TableCatalog.Table::name)
            .filter(name -> !name.equals(FOUND_BEFORE_ITS_TENANT))
            .toList();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      for (String table : tables) {
        String firstPk = null;
        int lowest = Integer.MAX_VALUE;
        boolean exists = false;
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
          while (rs.next()) {
            exists = true;
            int pk = rs.getInt("pk");
            if (pk > 0 && pk < lowest) {
              lowest = pk;
              firstPk = rs.getString("name");
            }
          }
        }
        if (!exists) problems.add(table + " is not in the migrated database");
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
    assertThat(tables).contains("tenants", "events", "sessions", "jobs", "outbox", "audit_log");
    assertThat(problems).isEmpty();
  }
}
