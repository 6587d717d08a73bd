package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.jdbc.QueryPlans;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query shape of records gets a good plan on tables that were never analysed (a fresh
 * tenant's first minutes, or a cluster with autovacuum off): planned and run as the application
 * role under row-level security, with nothing priced out, on records written through the store. No
 * plan may read a table whole (a sequential scan) or re-read rows for every row of another (a join
 * filter or a rows-removed count per loop), and a page filtered by one value in the default order
 * reads that field's expression index in order (no sort). {@link PostgresRecordIndexesTest} holds
 * the same shapes to their indexes on analysed tables.
 */
class PostgresRecordPlansTest extends FlowstoreTestBase {
  private static final String TENANT = "unanalysed";
  private static final int TICKETS = 2_400;
  private QueryPlans plans;
  private Collection tickets;
  private Collection comments;

  @Override
  protected FlowstoreConfig config() {
    // why: the store would analyse the tables itself (StatisticsKeeper); here they must stay bare
    FlowstoreConfig config = TestBackends.postgres(java.util.Map.of("POSTGRES_ANALYZE", "false"));
    plans = new QueryPlans(config, TENANT);
    return config;
  }

  @BeforeAll
  void seed() throws SQLException {
    try (Connection c = plans.raw();
        Statement s = c.createStatement()) {
      // why: a cluster with autovacuum on would analyse the tables while the test runs
      for (String t : List.of("records", "record_unique_values"))
        s.execute("ALTER TABLE " + t + " SET (autovacuum_enabled = false)");
    }
    tickets =
        fs.collections()
            .declare(
                CollectionSpec.of("tickets")
                    .withIndexed(
                        IndexedField.string("/status"),
                        IndexedField.number("/priority"),
                        IndexedField.string("/ref"))
                    .withUnique("/ref")
                    .withFullText("/title"));
    comments =
        fs.collections()
            .declare(
                CollectionSpec.of("comments")
                    .withParent("tickets")
                    .withIndexed(IndexedField.string("/author")));
    TenantId tenant = TenantId.of(TENANT);
    for (int from = 0; from < TICKETS; from += 400) {
      int start = from;
      fs.inTransaction(
          tenant,
          tx -> {
            for (int i = start; i < start + 400; i++) {
              tx.records()
                  .create(
                      "tickets",
                      NewRecord.of(
                          "T" + i,
                          Json.parseObject(
                              "data",
                              "{\"status\":\"s"
                                  + (i % 10)
                                  + "\",\"priority\":"
                                  + (i % 7)
                                  + ",\"ref\":\"R"
                                  + i
                                  + "\",\"title\":\"ticket w"
                                  + i
                                  + (i % 400 == 0 ? " refund" : " shipping")
                                  + "\"}")));
              if (i % 4 == 0)
                tx.records()
                    .create(
                        "comments",
                        new NewRecord(
                            "C" + i,
                            Json.parseObject("data", "{\"author\":\"a" + (i % 9) + "\"}"),
                            "T" + (i % 40)));
            }
            return null;
          });
    }
    try (Connection c = plans.raw();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT relname, analyze_count + autoanalyze_count FROM pg_stat_user_tables"
                    + " WHERE schemaname = current_schema() AND relname IN ('records', 'record_unique_values')")) {
      int tables = 0;
      while (rs.next()) {
        assertThat(rs.getLong(2)).as(rs.getString(1) + " was analysed").isZero();
        tables++;
      }
      assertThat(tables).isEqualTo(2);
    }
  }

  private RecordQueries queries() {
    return new RecordQueries(new AutonomousScope((JdbcFlowstore) fs, TenantId.of(TENANT)));
  }

  /** The plan of {@code sql} as it runs (EXPLAIN ANALYZE), held to the rules of this class. */
  private String assertGoodPlan(Sql sql) throws SQLException {
    String plan = plans.planAsIs(sql.text(), ps -> sql.bind(ps), true);
    String shown = sql.text() + "\n" + plan;
    assertThat(plan).as(shown).doesNotContain("Seq Scan").doesNotContain("Join Filter");
    // a node run once per row of another (loops > 1) is a probe: it may read a row or two each
    // time, not re-read a range (what a join filter on a flattened probe does)
    var node = java.util.regex.Pattern.compile("rows=(\\d+) loops=(\\d+)\\)");
    var removed = java.util.regex.Pattern.compile("Rows Removed by [\\w ]+: (\\d+)");
    long loops = 1;
    for (String line : plan.split("\n")) {
      var m = node.matcher(line);
      if (m.find()) {
        loops = Long.parseLong(m.group(2));
        if (loops > 1)
          assertThat(Long.parseLong(m.group(1))).as("%s\n%s", line, shown).isLessThanOrEqualTo(2);
      }
      var r = removed.matcher(line);
      if (r.find() && loops > 1)
        assertThat(Long.parseLong(r.group(1)) / loops).as("%s\n%s", line, shown).isLessThan(2);
    }
    return plan;
  }

  private void assertGoodPlans(Collection col, RecordQuery q) throws SQLException {
    assertGoodPlan(queries().pageSql(col, q));
    assertGoodPlan(queries().countSql(col, q));
  }

  private List<RecordQuery> pages(RecordQuery q) {
    List<RecordQuery> out = new ArrayList<>(List.of(q, q.offset(100)));
    String cursor = fs.records(TenantId.of(TENANT)).query(q.limit(3)).nextCursor();
    if (cursor != null) out.add(q.after(cursor));
    return out;
  }

  @Test
  void anEqualityFilterInTheDefaultOrderIsOneOrderedRangeScan() throws SQLException {
    for (boolean newestFirst : new boolean[] {false, true})
      for (String order : List.of(RecordQuery.CREATED_AT, RecordQuery.UPDATED_AT)) {
        RecordQuery q =
            RecordQuery.of("tickets")
                .where(RecordFilter.eq("/status", "s3"))
                .sortBy(order, newestFirst)
                .limit(50);
        for (RecordQuery page : pages(q)) {
          String plan = assertGoodPlan(queries().pageSql(tickets, page));
          assertThat(plan)
              .as(plan)
              .containsPattern("Index Scan( Backward)? using rx_[0-9a-f]{16}_" + order.charAt(0))
              .doesNotContain("Sort");
        }
        assertGoodPlan(queries().countSql(tickets, q));
      }
  }

  @Test
  void everyFilterKindGetsAGoodPlan() throws SQLException {
    RecordQuery q = RecordQuery.of("tickets").limit(50);
    for (RecordQuery shape :
        List.of(
            q,
            q.includeArchived(true),
            q.where(RecordFilter.in("/status", "s1", "s2")),
            q.where(RecordFilter.gte("/priority", 2)).where(RecordFilter.lt("/priority", 4)),
            q.where(RecordFilter.lte("/priority", 2)),
            q.where(RecordFilter.prefix("/ref", "R12")),
            q.where(RecordFilter.eq("/status", "s1")).where(RecordFilter.gt("/priority", 3)),
            q.where(RecordFilter.gt("/priority", 3)).where(RecordFilter.eq("/status", "s1")),
            q.where(RecordFilter.eq("/status", "s1")).where(RecordFilter.eq("/ref", "R11"))))
      for (RecordQuery page : pages(shape)) assertGoodPlans(tickets, page);
  }

  @Test
  void sortingByAnIndexedFieldGetsAGoodPlan() throws SQLException {
    RecordQuery q = RecordQuery.of("tickets").sortBy("/priority", true).limit(50);
    for (RecordQuery shape :
        List.of(
            q,
            q.where(RecordFilter.gt("/priority", 2)),
            q.where(RecordFilter.eq("/status", "s3")),
            q.where(RecordFilter.in("/status", "s3", "s4"))))
      for (RecordQuery page : pages(shape)) assertGoodPlans(tickets, page);
  }

  @Test
  void childrenAndSearchesGetAGoodPlan() throws SQLException {
    RecordQuery children = RecordQuery.of("comments").childrenOf("T7").limit(50);
    assertGoodPlans(comments, children);
    assertGoodPlans(comments, children.where(RecordFilter.eq("/author", "a1")));
    assertGoodPlans(comments, children.sortBy("/author", false));
    RecordQuery search = RecordQuery.of("tickets").search("refund").limit(50);
    assertGoodPlans(tickets, search);
    assertGoodPlans(tickets, search.where(RecordFilter.eq("/status", "s0")));
    assertGoodPlans(tickets, search.sortBy(RecordQuery.CREATED_AT, true));
  }
}
