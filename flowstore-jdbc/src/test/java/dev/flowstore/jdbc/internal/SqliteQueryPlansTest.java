package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.internal.JdbcQueue.AckRequest;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SQLite plans the statements that take a list of keys the way we mean: one index probe per key,
 * with every key column bound. SQLite keeps no statistics unless ANALYZE runs, and its planner then
 * answers {@code tenant_id = ? AND event_id IN (...)} (a list on the second column of a secondary
 * index) or {@code (job_id, token) IN (VALUES ...)} (a row-value list) with a range over all the
 * tenant's rows: at a million events an append with caller-supplied ids took about a second (chaos
 * scenario 3 at full size made 211 events/s), and every ack read every attempt the tenant ever
 * made. The statements are the ones the engine builds, from the same builders.
 */
class SqliteQueryPlansTest extends FlowstoreTestBase {
  // "SEARCH events USING INDEX x (tenant_id=? AND event_id=?)": at least one column after tenant_id
  private static final Pattern PROBE =
      Pattern.compile(
          "SEARCH \\w+ USING (COVERING )?(INDEX \\w+|PRIMARY KEY) \\(tenant_id=\\? AND .+\\)");

  private final Dialect dialect = new SqliteDialect();
  private final TenantId tenant = TenantId.of("plans");

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  @Test
  void storedEventsByIdProbeTheEventIdIndex() throws SQLException {
    assertProbes(
        "events",
        EventAppends.storedByIds(
            dialect, tenant.value(), List.of(UUID.randomUUID(), UUID.randomUUID())));
  }

  @Test
  void anAckBatchProbesJobsAndAttemptsByKey() throws SQLException {
    List<AckRequest> acks =
        List.of(new AckRequest(UUID.randomUUID(), 1), new AckRequest(UUID.randomUUID(), 2));
    AckGroup group = new AckGroup(new JobRows(dialect, tenant), acks, Instant.now(), false);
    assertProbes("jobs", group.update());
    assertProbes(
        "job_attempts", ((SqliteQueueSql) dialect.queueSql()).attemptsSucceeded(group, acks));
  }

  @Test
  void uniqueKeyHoldersProbeTheUniqueKeyIndex() throws SQLException {
    JobRows rows = new JobRows(dialect, tenant);
    assertProbes(
        "jobs",
        rows.activeByKeysSql(
            List.of(new JobRows.QueueKey("a", "k1"), new JobRows.QueueKey("b", "k2"))));
  }

  @Test
  void aSearchIsDrivenByTheFts5Index() throws SQLException {
    Collection notes =
        fs.collections()
            .declare(
                CollectionSpec.of("plan_notes")
                    .withIndexed(IndexedField.string("/status"))
                    .withFullText("/text"));
    RecordQueries queries = new RecordQueries(new AutonomousScope((JdbcFlowstore) fs, tenant));
    RecordQuery q = RecordQuery.of("plan_notes").search("printer jam").limit(20);
    for (RecordQuery shape :
        List.of(
            q,
            q.where(RecordFilter.eq("/status", "open")),
            q.sortBy(RecordQuery.CREATED_AT, true),
            q.sortBy("/status", false))) {
      for (Sql sql : List.of(queries.pageSql(notes, shape), queries.countSql(notes, shape))) {
        List<String> plan = plan(sql);
        String shown = sql.text() + "\n" + String.join("\n", plan);
        // the words are looked up in the FTS5 index, each text row found by its text_id, and no
        // table is read whole
        assertThat(plan).as(shown).anyMatch(l -> l.matches("SCAN x VIRTUAL TABLE INDEX \\d+:M.*"));
        assertThat(plan).as(shown).anyMatch(l -> l.startsWith("SEARCH t USING "));
        assertThat(plan).as(shown).noneMatch(l -> l.matches("SCAN (t|r|e\\d+|s)\\b.*"));
      }
    }
  }

  /**
   * Every query shape of records, on tables SQLite has no statistics for: no table is scanned
   * whole, every search of the records is a range of an index that starts with the tenant, an
   * equality filter in the default order reads its field's expression index in that order, and a
   * sort by a field reads its expression index in order (no sort).
   */
  @Test
  void everyRecordQueryShapeSearchesByKey() throws SQLException {
    Collection tickets =
        fs.collections()
            .declare(
                CollectionSpec.of("plan_tickets")
                    .withIndexed(
                        IndexedField.string("/status"),
                        IndexedField.number("/priority"),
                        IndexedField.string("/ref")));
    Collection comments =
        fs.collections()
            .declare(
                CollectionSpec.of("plan_comments")
                    .withParent("plan_tickets")
                    .withIndexed(IndexedField.string("/author")));
    RecordQueries queries = new RecordQueries(new AutonomousScope((JdbcFlowstore) fs, tenant));
    RecordQuery q = RecordQuery.of("plan_tickets").limit(50);
    List<RecordQuery> shapes = new ArrayList<>();
    for (String order : List.of(RecordQuery.CREATED_AT, RecordQuery.UPDATED_AT))
      for (boolean desc : new boolean[] {false, true}) {
        RecordQuery o = q.sortBy(order, desc);
        shapes.addAll(
            List.of(
                o,
                o.where(RecordFilter.eq("/status", "s1")),
                o.where(RecordFilter.eq("/status", "s1")).offset(100),
                o.where(RecordFilter.in("/status", "s1", "s2")),
                o.where(RecordFilter.gte("/priority", 2)).where(RecordFilter.lt("/priority", 4)),
                o.where(RecordFilter.prefix("/ref", "R1")),
                o.where(RecordFilter.eq("/status", "s1")).where(RecordFilter.gt("/priority", 3))));
      }
    shapes.add(q.sortBy("/priority", true));
    shapes.add(q.sortBy("/priority", true).where(RecordFilter.eq("/status", "s3")));
    for (RecordQuery shape : shapes) {
      for (Sql sql : List.of(queries.pageSql(tickets, shape), queries.countSql(tickets, shape)))
        assertSearchesByKey(sql);
      boolean ordered =
          !shape.filters().isEmpty()
              && shape.filters().get(0).op() == RecordFilter.Op.EQ
              && !shape.sortBy().startsWith("/");
      if (ordered) {
        // the filter's expression index in the page's order: value, then time (rx_<h>_c / _u)
        List<String> plan = plan(queries.pageSql(tickets, shape));
        String index = "USING INDEX rx_[0-9a-f]{16}_" + shape.sortBy().charAt(0) + " .*";
        assertThat(plan).as(String.join("\n", plan)).anyMatch(l -> l.matches("SEARCH r " + index));
        assertThat(plan).as(String.join("\n", plan)).noneMatch(l -> l.contains("TEMP B-TREE"));
      }
      if (shape.sortBy().startsWith("/") && shape.filters().isEmpty()) {
        // a sort by a field walks its expression index (rx_<h>_v) in order
        List<String> plan = plan(queries.pageSql(tickets, shape));
        assertThat(plan)
            .as(String.join("\n", plan))
            .anyMatch(l -> l.matches("SEARCH r USING INDEX rx_[0-9a-f]{16}_v .*"));
        assertThat(plan).as(String.join("\n", plan)).noneMatch(l -> l.contains("TEMP B-TREE"));
      }
    }
    RecordQuery children = RecordQuery.of("plan_comments").childrenOf("T7").limit(50);
    assertSearchesByKey(queries.pageSql(comments, children));
    assertSearchesByKey(queries.pageSql(comments, children.where(RecordFilter.eq("/author", "a"))));
    assertSearchesByKey(queries.countSql(comments, children));
  }

  private void assertSearchesByKey(Sql sql) throws SQLException {
    List<String> plan = plan(sql);
    String shown = sql.text() + "\n" + String.join("\n", plan);
    assertThat(plan).as(shown).noneMatch(l -> l.matches("SCAN (r|k)\\b.*"));
    assertThat(plan)
        .as(shown)
        .filteredOn(l -> l.matches("SEARCH r .*"))
        .allMatch(l -> l.contains("(tenant_id=?"));
  }

  private void assertProbes(String table, Sql sql) throws SQLException {
    List<String> plan = plan(sql);
    List<String> onTable =
        plan.stream().filter(line -> line.matches("(SCAN|SEARCH) " + table + "\\b.*")).toList();
    assertThat(onTable).as(sql.text() + "\n" + String.join("\n", plan)).isNotEmpty();
    assertThat(onTable)
        .as(sql.text() + "\n" + String.join("\n", plan))
        .allMatch(line -> PROBE.matcher(line).matches());
  }

  private List<String> plan(Sql sql) throws SQLException {
    String url = "jdbc:sqlite:" + fs.config().dataDir().resolve("flowstore.db").toAbsolutePath();
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql.text())) {
      sql.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString("detail"));
      }
    }
    return out;
  }
}
