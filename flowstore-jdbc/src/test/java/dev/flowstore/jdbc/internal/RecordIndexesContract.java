package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.CollectionSpec;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The expression indexes of records' keys ({@link RecordIndexes}) follow the declarations: three
 * per indexed field, dropped with the field, built again when missing (or, on PostgreSQL, invalid),
 * and a query gives the same rows with or without them. And the migration that moved the keys into
 * the records (V18) keeps the keys of records indexed before it.
 */
abstract class RecordIndexesContract extends FlowstoreTestBase {
  /** A new, empty store's configuration (the migration and copy tests open and close their own). */
  protected abstract FlowstoreConfig freshConfig();

  private static void execute(Flowstore store, String... sql) {
    ((JdbcFlowstore) store)
        .system(
            c -> {
              try (Statement s = c.createStatement()) {
                for (String q : sql) s.execute(q);
              }
              return null;
            });
  }

  /**
   * The rx_ indexes of {@code collection} in {@code fs}, " INVALID" after an invalid one's name.
   */
  private List<String> indexes(String collection) {
    return indexes(fs, collection);
  }

  /**
   * The rx_ indexes on records in {@code store} whose definition names {@code collection} (every
   * one: null), " INVALID" after an invalid one's name (PostgreSQL).
   */
  private static List<String> indexes(Flowstore store, String collection) {
    String names = collection == null ? "%" : "%''" + collection + "''%";
    String sql =
        postgres(store)
            ? "SELECT i.relname || CASE WHEN x.indisvalid THEN '' ELSE ' INVALID' END"
                + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE t.relname = 'records' AND n.nspname = current_schema()"
                + " AND i.relname LIKE 'rx\\_%' AND pg_get_indexdef(i.oid) LIKE '"
                + names
                + "' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
                + " AND name LIKE 'rx\\_%' ESCAPE '\\' AND sql LIKE '"
                + names
                + "' ORDER BY 1";
    JdbcFlowstore jdbc = (JdbcFlowstore) store;
    return jdbc.system(c -> Columns.list(c, new Sql(jdbc.dialect(), sql), rs -> rs.getString(1)));
  }

  private static void seed(Records records, int n) {
    for (int i = 0; i < n; i++)
      records.create(
          "rx_" + "tickets",
          NewRecord.of(
              "T" + i,
              Json.parseObject(
                  "data", "{\"status\":\"s" + (i % 3) + "\",\"priority\":" + (i % 4) + "}")));
  }

  private static List<String> ids(Records records, RecordQuery q) {
    return records.query(q.limit(100)).records().stream().map(StoredRecord::id).toList();
  }

  @Test
  void eachFieldHasThreeIndexesAndAFieldDroppedFromTheIndexLosesThem() {
    TenantId t = newTenant();
    fs.collections()
        .declare(
            CollectionSpec.of("rx_tickets")
                .withIndexed(IndexedField.string("/status"), IndexedField.number("/priority")));
    assertThat(indexes("rx_tickets")).hasSize(6).allMatch(n -> n.matches("rx_[0-9a-f]{16}_[vcu]"));
    Records records = fs.records(t);
    seed(records, 12);

    // /status dropped: /priority moves to the first place of the keys, rebuilt and indexed there
    fs.collections()
        .declare(CollectionSpec.of("rx_tickets").withIndexed(IndexedField.number("/priority")));
    assertThat(indexes("rx_tickets")).hasSize(3);
    assertThat(ids(records, RecordQuery.of("rx_tickets").where(RecordFilter.eq("/priority", 1))))
        .containsExactly("T1", "T5", "T9");
    assertThat(
            ids(
                records,
                RecordQuery.of("rx_tickets")
                    .where(RecordFilter.gte("/priority", 3))
                    .sortBy("/priority", false)))
        .containsExactly("T11", "T3", "T7");
  }

  @Test
  void aQueryGivesTheSameRowsWithoutItsIndexesAndTheNextMigrateBuildsThem() {
    TenantId t = newTenant();
    fs.collections()
        .declare(
            CollectionSpec.of("rx_tickets")
                .withIndexed(IndexedField.string("/status"), IndexedField.number("/priority")));
    Records records = fs.records(t);
    seed(records, 12);
    RecordQuery byStatus = RecordQuery.of("rx_tickets").where(RecordFilter.eq("/status", "s2"));
    RecordQuery byPriority = RecordQuery.of("rx_tickets").sortBy("/priority", true);
    List<String> withIndexes = ids(records, byStatus);
    List<String> sorted = ids(records, byPriority);
    assertThat(withIndexes).containsExactly("T2", "T5", "T8", "T11");

    for (String index : indexes("rx_tickets")) execute(fs, "DROP INDEX " + index);
    assertThat(indexes("rx_tickets")).isEmpty();
    assertThat(ids(records, byStatus)).isEqualTo(withIndexes);
    assertThat(ids(records, byPriority)).isEqualTo(sorted);

    fs.migrate();
    assertThat(indexes("rx_tickets")).hasSize(6);
    assertThat(ids(records, byStatus)).isEqualTo(withIndexes);
  }

  @Test
  void aCopyBuildsTheIndexesOfTheDeclarationsItCopied() {
    fs.collections()
        .declare(
            CollectionSpec.of("rx_tickets")
                .withIndexed(IndexedField.string("/status"), IndexedField.number("/priority")));
    seed(fs.records(newTenant()), 3);
    FlowstoreConfig config = freshConfig();
    try (Flowstore target = Flowstore.open(config)) {
      assertThat(indexes(target, "rx_tickets")).isEmpty();
      BackendCopy.copy(
          fs, target, new BackendSwitch.CopyOptions(false, 500), p -> {}, Clock.systemUTC());
      assertThat(indexes(target, "rx_tickets")).isEqualTo(indexes("rx_tickets")).hasSize(6);
    } finally {
      TestBackends.drop(config);
    }
  }

  @Test
  void anInvalidIndexIsBuiltAgain() {
    if (!postgres(fs)) return; // SQLite has no invalid indexes: a failed CREATE INDEX rolls back
    fs.collections()
        .declare(CollectionSpec.of("rx_tickets").withIndexed(IndexedField.string("/status")));
    String index = indexes("rx_tickets").get(0);
    // what a CREATE INDEX CONCURRENTLY that failed or was killed leaves behind
    execute(
        fs, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = '" + index + "'::regclass");
    assertThat(indexes("rx_tickets")).contains(index + " INVALID");
    fs.migrate();
    assertThat(indexes("rx_tickets"))
        .hasSize(3)
        .contains(index)
        .noneMatch(n -> n.endsWith("INVALID"));
  }

  /**
   * A store whose records were indexed before V18 (their keys in {@code record_index_entries}) is
   * made as V18 found it: the keys column taken out, the entries put back; the migration fills the
   * keys from them, in the declaration's order, and drops the table.
   */
  @Test
  void recordsIndexedBeforeTheKeysMovedIntoTheirRowsKeepThem() throws SQLException {
    FlowstoreConfig config = freshConfig();
    TenantId t = TenantId.of("before-v18");
    try {
      try (Flowstore before = Flowstore.open(config)) {
        before
            .collections()
            .declare(
                CollectionSpec.of("rx_tickets")
                    .withIndexed(IndexedField.string("/status"), IndexedField.number("/priority")));
        seed(before.records(t), 12);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          var data =
              Json.parseObject(
                  "data", "{\"status\":\"s" + (i % 3) + "\",\"priority\":" + (i % 4) + "}");
          for (IndexedField f :
              List.of(IndexedField.string("/status"), IndexedField.number("/priority")))
            entries.add(
                "('before-v18', 'rx_tickets', 'T"
                    + i
                    + "', '"
                    + f.pointer()
                    + "', '"
                    + dev.flowstore.internal.IndexKeys.of(f, data)
                    + "')");
        }
        List<String> undo = new ArrayList<>();
        if (!postgres(before))
          for (String index : indexes(before, null)) undo.add("DROP INDEX " + index);
        undo.add("ALTER TABLE records DROP COLUMN keys");
        undo.add(
            "CREATE TABLE record_index_entries (tenant_id TEXT NOT NULL, collection TEXT NOT NULL,"
                + " record_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
                + " PRIMARY KEY (tenant_id, collection, record_id, field))");
        undo.add(
            "INSERT INTO record_index_entries (tenant_id, collection, record_id, field, value) VALUES "
                + String.join(", ", entries));
        undo.add("DELETE FROM flyway_schema_history WHERE version = '18'");
        execute(before, undo.toArray(String[]::new));
      }
      try (Flowstore after = Flowstore.open(config)) {
        Records records = after.records(t);
        assertThat(
                ids(records, RecordQuery.of("rx_tickets").where(RecordFilter.eq("/status", "s1"))))
            .containsExactly("T1", "T4", "T7", "T10");
        assertThat(
                ids(
                    records,
                    RecordQuery.of("rx_tickets")
                        .where(RecordFilter.eq("/status", "s0"))
                        .where(RecordFilter.lt("/priority", 2))))
            .containsExactly("T0", "T9");
        assertThat(indexes(after, null)).hasSize(6);
        ((JdbcFlowstore) after)
            .system(
                c -> {
                  try (Statement s = c.createStatement();
                      ResultSet rs =
                          s.executeQuery(
                              "SELECT count(*) FROM records WHERE keys = "
                                  + (postgres(after) ? "'{}'" : "'[]'"))) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("records without keys").isZero();
                  }
                  assertThat(tableExists(c, postgres(after), "record_index_entries")).isFalse();
                  return null;
                });
      }
    } finally {
      TestBackends.drop(config);
    }
  }

  private static boolean postgres(Flowstore store) {
    return ((JdbcFlowstore) store).dialect() instanceof PostgresDialect;
  }

  private static boolean tableExists(Connection c, boolean postgres, String table)
      throws SQLException {
    String sql =
        postgres
            ? "SELECT to_regclass('" + table + "') IS NOT NULL"
            : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '"
                + table
                + "'";
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
