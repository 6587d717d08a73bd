package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.CollectionSpec;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.MetricCounter;
import dev.flowstore.NewRecord;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.jdbc.QueryPlans;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store keeps PostgreSQL's planner statistics of its own tables where autovacuum does not
 * ({@link StatisticsKeeper}): a table written to but never analysed is analysed within seconds, and
 * then a record is found by its primary key, not by scanning an index that only begins with the
 * collection. Autovacuum may be on or off in the cluster under test; the table's own setting is
 * turned off here so that only the store can be the one that analysed it.
 */
class PostgresStatisticsKeeperTest extends FlowstoreTestBase {
  private static final String TENANT = "stats";
  private QueryPlans plans;

  @Override
  protected FlowstoreConfig config() {
    FlowstoreConfig config = TestBackends.postgres();
    plans = new QueryPlans(config, TENANT);
    return config;
  }

  @Test
  void aTableIsDueAtAutovacuumsThresholdWhenAutovacuumWillNotAnalyseItSoon() {
    // 50 rows plus a tenth of the table, as autovacuum counts
    assertThat(StatisticsKeeper.due(49, -1, true, true)).isFalse();
    assertThat(StatisticsKeeper.due(50, -1, true, true)).isTrue();
    assertThat(StatisticsKeeper.due(1_049, 10_000, false, false)).isFalse();
    assertThat(StatisticsKeeper.due(1_050, 10_000, false, false)).isTrue();
    // analysed before, autovacuum on: autovacuum's job
    assertThat(StatisticsKeeper.due(1_000_000, 10_000, false, true)).isFalse();
  }

  @Test
  void aWrittenTableIsAnalysedAndThenARecordIsFoundByItsPrimaryKey() throws SQLException {
    try (Connection c = plans.raw();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE records SET (autovacuum_enabled = false)");
      s.execute("ALTER TABLE events SET (autovacuum_enabled = false)");
    }
    fs.collections()
        .declare(CollectionSpec.of("tickets").withIndexed(IndexedField.string("/status")));
    TenantId tenant = TenantId.of(TENANT);
    fs.inTransaction(
        tenant,
        tx -> {
          for (int i = 0; i < 500; i++)
            tx.records()
                .create(
                    "tickets",
                    NewRecord.of(
                        "T" + i, Json.parseObject("data", "{\"status\":\"s" + (i % 10) + "\"}")));
          return null;
        });

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(analyses("records")).isPositive();
              assertThat(analyses("events")).isPositive();
            });
    assertThat(counter(fs, "flowstore.db.analyze.runs")).isGreaterThanOrEqualTo(2);
    assertThat(counter(fs, "flowstore.db.analyze.failures")).isZero();

    Sql byId =
        new JdbcRecords(new AutonomousScope((JdbcFlowstore) fs, tenant))
            .byIdSql("tickets", "T7", "r.data");
    String plan = plans.planAsIs(byId.text(), ps -> byId.bind(ps), true);
    assertThat(plan).as(plan).contains("records_pk").doesNotContain("records_updated_ix");
  }

  @Test
  void withPostgresAnalyzeOffTheStoreLeavesStatisticsToTheDatabase() {
    try (Flowstore off =
        Flowstore.open(TestBackends.postgres(Map.of("POSTGRES_ANALYZE", "false")))) {
      assertThat(off.metrics())
          .extracting(MetricCounter::name)
          .doesNotContain("flowstore.db.analyze.runs");
    }
    assertThat(fs.metrics()).extracting(MetricCounter::name).contains("flowstore.db.analyze.runs");
  }

  private long analyses(String table) throws SQLException {
    try (Connection c = plans.raw();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT analyze_count FROM pg_stat_user_tables"
                    + " WHERE schemaname = current_schema() AND relname = '"
                    + table
                    + "'")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static long counter(Flowstore store, String name) {
    return store.metrics().stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow()
        .count()
        .getAsLong();
  }
}
