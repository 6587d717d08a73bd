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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue's hot queries are served by the indexes V5 made for them: on a few thousand jobs, with
 * sequential scans priced out, the plan names the index.
 */
class PostgresQueueIndexesTest extends FlowstoreTestBase {
  private static final String TENANT = "explain";
  private FlowstoreConfig config;

  @Override
  protected FlowstoreConfig config() {
    config = TestBackends.postgres();
    return config;
  }

  private Connection raw() throws SQLException {
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + PostgresSettings.of(config).schema());
    }
    return c;
  }

  @BeforeAll
  void seed() throws SQLException {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO jobs (tenant_id, job_id, message_id, queue, job_type, run_at, max_attempts, status, lease_expires_at, finished_at, created_at, updated_at) SELECT '"
              + TENANT
              + "', gen_random_uuid(), gen_random_uuid(), 'q' || (g % 10), 'work', now(), 5,"
              + " CASE WHEN g % 3 = 0 THEN 'succeeded' WHEN g % 3 = 1 THEN 'queued' ELSE 'leased' END,"
              + " CASE WHEN g % 3 = 2 THEN now() END, CASE WHEN g % 3 = 0 THEN now() END, now(), now() FROM generate_series(1, 6000) g");
      s.execute("VACUUM ANALYZE jobs"); // why: the visibility map makes the stats query index-only
    }
  }

  private String plan(String sql) throws SQLException {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SET LOCAL enable_seqscan = off");
      StringBuilder out = new StringBuilder();
      try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
        while (rs.next()) out.append(rs.getString(1)).append('\n');
      }
      c.rollback();
      return out.toString();
    }
  }

  @Test
  void theLeaseClaimUsesTheReadyIndex() throws SQLException {
    String p =
        plan(
            "SELECT job_id FROM jobs WHERE tenant_id = 'explain' AND queue = 'q1' AND status = 'queued' AND run_at <= now() ORDER BY priority DESC, run_at, seq LIMIT 10 FOR UPDATE SKIP LOCKED");
    assertThat(p).contains("jobs_ready_ix");
  }

  @Test
  void expiredLeasesUseTheLeasedIndex() throws SQLException {
    assertThat(
            plan(
                "SELECT job_id FROM jobs WHERE tenant_id = 'explain' AND queue = 'q1' AND status = 'leased' AND lease_expires_at <= now() LIMIT 1000 FOR UPDATE SKIP LOCKED"))
        .contains("jobs_leased_ix");
  }

  @Test
  void theRetentionPurgeUsesTheSucceededIndexAsTheAppRole() throws SQLException {
    new QueryPlans(config, TENANT)
        .assertUses(
            "jobs_succeeded_ix",
            "WITH doomed AS MATERIALIZED (SELECT job_id AS doomed_id FROM jobs WHERE tenant_id = ? AND status = 'succeeded'"
                + " AND finished_at < ? ORDER BY finished_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " DELETE FROM jobs WHERE tenant_id = ? AND job_id IN (SELECT doomed_id FROM doomed)",
            TENANT,
            java.sql.Timestamp.from(java.time.Instant.now().plusSeconds(60)),
            1000,
            TENANT);
  }

  @Test
  void statsCountFromTheStatusIndexAlone() throws SQLException {
    assertThat(
            plan(
                "SELECT queue, status, CASE WHEN status = 'queued' AND run_at > now() THEN 1 ELSE 0 END, COUNT(*) FROM jobs WHERE tenant_id = 'explain' GROUP BY 1, 2, 3"))
        .contains("Index Only Scan using jobs_status_ix");
  }

  @Test
  void aListOfOneStatusReadsTheStatusIndexInSeqOrder() throws SQLException {
    String p =
        plan(
            "SELECT job_id FROM jobs WHERE tenant_id = 'explain' AND queue = 'q1' AND status = 'succeeded' ORDER BY seq DESC LIMIT 50");
    assertThat(p).contains("jobs_status_ix").doesNotContain("Sort");
  }

  @Test
  void aGroupOfAcksFindsItsJobsByPrimaryKey() throws SQLException {
    assertThat(
            plan(
                "UPDATE jobs SET status = 'succeeded', lease_expires_at = NULL, finished_at = now(), updated_at = now()"
                    + " WHERE tenant_id = 'explain' AND status = 'leased' AND (job_id, lease_seq) IN (VALUES"
                    + " ('00000000-0000-0000-0000-000000000001'::uuid, 1::bigint),"
                    + " ('00000000-0000-0000-0000-000000000002'::uuid, 2::bigint)) RETURNING job_id"))
        .contains("jobs_pk")
        .doesNotContain("Seq Scan");
  }
}
