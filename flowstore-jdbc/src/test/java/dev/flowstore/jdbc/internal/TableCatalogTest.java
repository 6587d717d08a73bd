package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catalog is the migrated schema: a table a migration adds without joining {@link TableCatalog}
 * (or a key, tenant column or foreign key it gets wrong) fails here, with the entry to write. The
 * schema is read through JDBC's metadata, the same way on every backend.
 */
class TableCatalogTest {
  /** What the migrated database says about one table. */
  record Migrated(String name, List<String> key, Set<String> columns, Set<String> references) {}

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "postgres"})
  void theCatalogListsEveryMigratedTableWithItsKeyTenantColumnAndReferences(String backend) {
    FlowstoreConfig config =
        backend.equals("sqlite") ? TestBackends.sqliteTemp() : TestBackends.postgres();
    Map<String, Migrated> schema;
    try (Flowstore fs = Flowstore.open(config)) {
      schema = ((JdbcFlowstore) fs).system(TableCatalogTest::read);
    } finally {
      TestBackends.drop(config);
    }
    assertThat(schema).containsKeys("events", "jobs", "outbox", "flyway_schema_history");
    List<String> problems = new ArrayList<>();
    for (Migrated table : schema.values()) {
      if (TableCatalog.table(table.name()).isEmpty())
        problems.add(
            "table "
                + table.name()
                + " is not in TableCatalog: add "
                + entryFor(table)
                + " to TableCatalog.TABLES, after the tables it references"
                + " (or say why it is REBUILT or NEVER copied)");
    }
    for (TableCatalog.Table entry : TableCatalog.tables()) {
      Migrated table = schema.get(entry.name());
      if (table == null) {
        problems.add(
            "TableCatalog lists " + entry.name() + ", which no " + backend + " migration creates");
        continue;
      }
      problems.addAll(differences(entry, table));
    }
    assertThat(problems).as(backend + " migrations vs TableCatalog").isEmpty();
  }

  private static List<String> differences(TableCatalog.Table entry, Migrated table) {
    List<String> out = new ArrayList<>();
    String name = entry.name();
    if (!entry.key().equals(table.key()))
      out.add(name + ": TableCatalog's key " + entry.key() + ", the primary key " + table.key());
    entry
        .tenantColumn()
        .filter(column -> !table.columns().contains(column))
        .ifPresent(
            column -> out.add(name + ": TableCatalog's tenant column " + column + " is missing"));
    if (entry.tenantColumn().isEmpty() && table.columns().contains("tenant_id"))
      out.add(name + ": has a tenant_id column, TableCatalog says it has no tenant column");
    Set<String> missingOrder = new TreeSet<>(entry.copyOrder());
    missingOrder.removeAll(table.columns());
    if (!missingOrder.isEmpty())
      out.add(name + ": TableCatalog's copy order names no columns " + missingOrder);
    Set<String> others = new TreeSet<>(table.references());
    others.remove(name);
    boolean rows = entry.copy() == TableCatalog.Copy.ROWS;
    if (rows
        ? !others.equals(Set.copyOf(entry.copiedAfter()))
        : !entry.copiedAfter().containsAll(others))
      out.add(
          name
              + ": references "
              + others
              + ", TableCatalog copies it after "
              + entry.copiedAfter());
    if (rows && table.references().contains(name) && entry.copyOrder().equals(entry.key()))
      out.add(
          name
              + ": references itself, so its rows must be copied parents first: give it a copy"
              + " order (inOrderOf) that does that, not its key");
    return out;
  }

  /** The catalog line that would describe {@code table} as copied row by row. */
  private static String entryFor(Migrated table) {
    boolean tenant = table.columns().contains("tenant_id");
    List<String> args = new ArrayList<>();
    args.add("\"" + table.name() + "\"");
    for (String column : table.key())
      args.add(tenant && column.equals("tenant_id") ? "TENANT" : "\"" + column + "\"");
    Set<String> others = new TreeSet<>(table.references());
    others.remove(table.name());
    String entry = (tenant ? "rows(" : "sharedTable(Copy.ROWS, ") + String.join(", ", args) + ")";
    return others.isEmpty()
        ? entry
        : entry
            + ".after("
            + others.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
            + ")";
  }

  private static Map<String, Migrated> read(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    // why: PostgreSQL's pool puts connections in the store's schema; SQLite has none (null)
    String schema = c.getSchema();
    Map<String, Migrated> out = new TreeMap<>();
    List<String> names = new ArrayList<>();
    try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next())
        // why: SQLite lists an FTS5 index's shadow tables as tables; they are an index's storage
        if (inSchema(rs, schema) && !TableCatalog.isTextIndex(rs.getString("TABLE_NAME")))
          names.add(rs.getString("TABLE_NAME"));
    }
    for (String name : names) {
      Map<Integer, String> key = new TreeMap<>();
      try (ResultSet rs = md.getPrimaryKeys(null, schema, name)) {
        while (rs.next()) key.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
      Set<String> columns = new HashSet<>();
      try (ResultSet rs = md.getColumns(null, schema, name, "%")) {
        while (rs.next())
          if (inSchema(rs, schema) && rs.getString("TABLE_NAME").equals(name))
            columns.add(rs.getString("COLUMN_NAME"));
      }
      Set<String> references = new TreeSet<>();
      try (ResultSet rs = md.getImportedKeys(null, schema, name)) {
        while (rs.next()) references.add(rs.getString("PKTABLE_NAME"));
      }
      out.put(name, new Migrated(name, List.copyOf(key.values()), columns, references));
    }
    return out;
  }

  // why: metadata patterns treat '_' as a wildcard, so a schema name can match others
  private static boolean inSchema(ResultSet rs, String schema) throws SQLException {
    return schema == null || schema.equals(rs.getString("TABLE_SCHEM"));
  }

  @Test
  void everyTableIsListedOnceAndAfterTheTablesItIsCopiedAfter() {
    List<String> seen = new ArrayList<>();
    for (TableCatalog.Table t : TableCatalog.tables()) {
      assertThat(seen).as("listed twice").doesNotContain(t.name());
      assertThat(seen).as(t.name() + " is copied after").containsAll(t.copiedAfter());
      seen.add(t.name());
    }
  }

  @Test
  void thePrivilegesWithheldFromThePostgresAppRoleNameCatalogTables() {
    assertThat(PostgresRoles.WITHHELD.keySet())
        .allSatisfy(name -> assertThat(TableCatalog.table(name)).as(name).isPresent());
  }
}
