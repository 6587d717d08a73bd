package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event store's, sessions', flows', audit log's and outbox's queries (the SQL they run) are
 * served by the indexes their migrations made: on thousands of rows under RLS, with sequential
 * scans priced out.
 */
class PostgresCoreIndexesTest extends FlowstoreTestBase {
  private static final String TENANT = "explain";
  private QueryPlans plans;

  @Override
  protected FlowstoreConfig config() {
    FlowstoreConfig config = TestBackends.postgres();
    plans = new QueryPlans(config, TENANT);
    return config;
  }

  @BeforeAll
  void seed() throws SQLException {
    String t = "'" + TENANT + "'";
    plans.seed(
        "events, sessions, flows, audit_log, outbox",
        "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category, payload, metadata, created_at)"
            + " SELECT "
            + t
            + ", g, 'order-' || (g % 500), g / 500, gen_random_uuid(), 'e', CASE WHEN g % 2 = 0 THEN 'order' ELSE 'user' END, '{}', '{}', now() FROM generate_series(1, 6000) g",
        "INSERT INTO flows (tenant_id, flow_id, version, name, yaml_content) SELECT "
            + t
            + ", 'f' || (g % 300), g / 300 + 1, 'n', 'a: 1' FROM generate_series(0, 2999) g",
        "INSERT INTO sessions (tenant_id, flow_id, flow_version, status, current_state, created_at, updated_at, expires_at, completed_at)"
            + " SELECT "
            + t
            + ", 'f' || (g % 300), 1, (ARRAY['ACTIVE','EXPIRED'])[1 + g % 2], 's', now() - g * interval '1 second', now(), now() + g * interval '1 second', CASE WHEN g % 2 = 1 THEN now() END"
            + " FROM generate_series(1, 6000) g",
        "INSERT INTO audit_log (tenant_id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash)"
            + " SELECT "
            + t
            + ", g, 'a', 'x', 'job', 'r' || (g % 100), now() - g * interval '1 second', '', '' FROM generate_series(1, 6000) g",
        "INSERT INTO outbox (tenant_id, event_id, destination, status, next_attempt_at, created_at, published_at)"
            + " SELECT "
            + t
            + ", gen_random_uuid(), 'queue:q', CASE WHEN g % 10 = 0 THEN 'PENDING' ELSE 'PUBLISHED' END, now(), now(), CASE WHEN g % 10 = 0 THEN NULL ELSE now() END FROM generate_series(1, 6000) g");
  }

  @Test
  void eventQueriesUseTheirIndexes() throws SQLException {
    String cols =
        "SELECT event_id, stream_id, version, position, type, payload, metadata, created_at FROM events";
    plans.assertUses(
        "events_stream_version_uq",
        cols
            + " WHERE tenant_id = ? AND stream_id = ? AND version >= ? ORDER BY version ASC LIMIT ?",
        TENANT,
        "order-7",
        0L,
        100);
    plans.assertUses(
        "events_pk",
        cols + " WHERE tenant_id = ? AND position > ? ORDER BY position ASC LIMIT ?",
        TENANT,
        100L,
        100);
    plans.assertUses(
        "events_category_ix",
        cols
            + " WHERE tenant_id = ? AND position > ? AND category = ? ORDER BY position ASC LIMIT ?",
        TENANT,
        100L,
        "order",
        100);
  }

  @Test
  void sessionQueriesUseTheirIndexes() throws SQLException {
    String cols = "SELECT * FROM sessions WHERE tenant_id = ?";
    String page = " ORDER BY created_at DESC, session_id DESC LIMIT ?";
    plans.assertUses("sessions_created_ix", cols + page, TENANT, 100);
    plans.assertUses("sessions_status_ix", cols + " AND status = ?" + page, TENANT, "ACTIVE", 100);
    plans.assertUses("sessions_flow_ix", cols + " AND flow_id = ?" + page, TENANT, "f7", 100);
    plans.assertUses(
        "sessions_expiry_ix",
        "SELECT session_id FROM sessions WHERE tenant_id = ? AND status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        TENANT,
        Timestamp.from(Instant.now()),
        500);
  }

  @Test
  void flowQueriesUseTheirIndexes() throws SQLException {
    plans.assertUses(
        "flows_pk",
        "SELECT * FROM flows WHERE tenant_id = ? AND flow_id = ? ORDER BY version DESC LIMIT 1",
        TENANT,
        "f7");
  }

  @Test
  void auditQueriesUseTheirIndexes() throws SQLException {
    plans.assertUses(
        "audit_log_resource_ix",
        "SELECT * FROM audit_log WHERE tenant_id = ? AND seq > ? AND resource_type = ? AND resource_id = ? ORDER BY seq LIMIT ?",
        TENANT,
        0L,
        "job",
        "r7",
        100);
    plans.assertUses(
        "audit_log_pk",
        "SELECT * FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT 1000",
        TENANT,
        0L);
  }

  @Test
  void theOutboxRetentionPurgeUsesThePublishedIndex() throws SQLException {
    plans.assertUses(
        "outbox_published_ix",
        "WITH doomed AS MATERIALIZED (SELECT message_id AS doomed_id FROM outbox WHERE tenant_id = ? AND status = 'PUBLISHED'"
            + " AND published_at < ? ORDER BY published_at LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " DELETE FROM outbox WHERE tenant_id = ? AND message_id IN (SELECT doomed_id FROM doomed)",
        TENANT,
        Timestamp.from(Instant.now().plusSeconds(60)),
        1000,
        TENANT);
  }

  @Test
  void outboxQueriesUseTheirIndexes() throws SQLException {
    plans.assertUses(
        "outbox_due_ix",
        "SELECT message_id FROM outbox WHERE tenant_id = ? AND status = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?",
        TENANT,
        Timestamp.from(Instant.now()),
        100);
    plans.assertUses(
        "outbox_status_ix",
        "SELECT * FROM outbox WHERE tenant_id = ? AND status = ? ORDER BY seq LIMIT ?",
        TENANT,
        "FAILED",
        100);
  }
}
