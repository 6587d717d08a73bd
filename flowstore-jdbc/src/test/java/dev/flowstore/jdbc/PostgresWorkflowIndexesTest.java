package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every list and lookup query of the workflow stores (the same SQL they run) is served by an index:
 * run as the application role under row-level security, on a few thousand rows, with sequential
 * scans priced out, the plan must name the index the migration made for it.
 */
class PostgresWorkflowIndexesTest extends FlowstoreTestBase {
  private static final String TENANT = "explain";
  private static final UUID SESSION = new UUID(0, 7);

  private QueryPlans plans;

  @Override
  protected FlowstoreConfig config() {
    FlowstoreConfig config = TestBackends.postgres();
    plans = new QueryPlans(config, TENANT);
    return config;
  }

  private Connection raw() throws SQLException {
    return plans.raw();
  }

  @BeforeAll
  void seed() throws SQLException {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT set_config('app.current_tenant', '" + TENANT + "', true)");
      // 500 sessions; session n is '00000000-0000-0000-0000-<n>'
      String session = "('00000000-0000-0000-0000-' || lpad(to_hex(g % 500), 12, '0'))::uuid";
      s.execute(
          "INSERT INTO step_attempts (tenant_id, session_id, step, attempt, status, started_at) SELECT '"
              + TENANT
              + "', "
              + session
              + ", 's' || g, 1, 'RUNNING', now() FROM generate_series(1, 5000) g");
      s.execute(
          "INSERT INTO workflow_checkpoints (tenant_id, session_id, checkpoint_id, data, metadata, created_at) SELECT '"
              + TENANT
              + "', "
              + session
              + ", 'c' || g, '{}', '{}', now() FROM generate_series(1, 5000) g");
      s.execute(
          "INSERT INTO registry_nodes (tenant_id, node_id, node_type, name, endpoint, param_schema, status, created_at, updated_at) SELECT '"
              + TENANT
              + "', 'n' || g, CASE WHEN g % 10 = 0 THEN 'webhook' ELSE 'builtin' END, 'n', CASE WHEN g % 10 = 0 THEN 'https://h.example' END, '{}', 'active', now(), now() FROM generate_series(1, 5000) g");
      s.execute(
          "INSERT INTO async_tasks (tenant_id, task_id, task_type, session_id, status, progress, created_at, updated_at) SELECT '"
              + TENANT
              + "', gen_random_uuid(), 't', "
              + session
              + ", (ARRAY['PENDING','RUNNING','COMPLETED','FAILED','CANCELLED'])[1 + g % 5], 0, now() - g * interval '1 second', now() FROM generate_series(1, 5000) g");
      s.execute(
          "INSERT INTO flow_resume_handles (tenant_id, handle_id, session_id, correlation_id, status, expires_at, created_at, updated_at, resumed_at) SELECT '"
              + TENANT
              + "', gen_random_uuid(), "
              + session
              + ", 'corr' || g, CASE WHEN g % 10 = 0 THEN 'PAUSED' ELSE 'RESUMED' END, now() + g * interval '1 minute', now(), now(), CASE WHEN g % 10 = 0 THEN NULL ELSE now() END FROM generate_series(1, 5000) g");
      s.execute(
          "INSERT INTO command_inbox (tenant_id, command_id, session_id, command_type, payload, idempotency_key, status, created_at, updated_at) SELECT '"
              + TENANT
              + "', gen_random_uuid(), "
              + session
              + ", 'cmd' || g, '{}', 'k' || g, 'COMPLETED', now(), now() FROM generate_series(1, 5000) g");
      c.commit();
      c.setAutoCommit(true);
      s.execute(
          "ANALYZE step_attempts, workflow_checkpoints, registry_nodes, async_tasks, flow_resume_handles, command_inbox");
    }
  }

  private void assertUses(String index, String sql, Object... args) throws SQLException {
    plans.assertUses(index, sql, args);
  }

  @Test
  void stepQueriesUseTheirIndexes() throws SQLException {
    assertUses(
        "step_attempts_session_ix",
        "SELECT * FROM step_attempts WHERE tenant_id = ? AND session_id = ? ORDER BY started_at, step, attempt LIMIT ?",
        TENANT,
        SESSION,
        100);
    assertUses(
        "step_attempts_pk",
        "SELECT * FROM step_attempts WHERE tenant_id = ? AND session_id = ? AND step = ? AND attempt = ?",
        TENANT,
        SESSION,
        "s7",
        1);
  }

  @Test
  void checkpointQueriesUseTheirIndexes() throws SQLException {
    assertUses(
        "workflow_checkpoints_session_seq_ix",
        "SELECT * FROM workflow_checkpoints WHERE tenant_id = ? AND session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        TENANT,
        SESSION,
        Long.MAX_VALUE,
        10);
    assertUses(
        "workflow_checkpoints_pk",
        "SELECT * FROM workflow_checkpoints WHERE tenant_id = ? AND session_id = ? AND checkpoint_id = ?",
        TENANT,
        SESSION,
        "c7");
  }

  @Test
  void nodeQueriesUseTheirIndexes() throws SQLException {
    assertUses(
        "registry_nodes_pk",
        "SELECT * FROM registry_nodes WHERE tenant_id = ? AND node_id > ? ORDER BY node_id LIMIT ?",
        TENANT,
        "n1",
        10);
    assertUses(
        "registry_nodes_type_ix",
        "SELECT * FROM registry_nodes WHERE tenant_id = ? AND node_type = ? ORDER BY node_id LIMIT ?",
        TENANT,
        "webhook",
        10);
  }

  @Test
  void taskQueriesUseTheirIndexes() throws SQLException {
    String cols = "SELECT * FROM async_tasks WHERE tenant_id = ?";
    assertUses(
        "async_tasks_created_ix",
        cols + " ORDER BY created_at DESC, task_id DESC LIMIT ?",
        TENANT,
        10);
    assertUses(
        "async_tasks_session_ix",
        cols + " AND session_id = ? ORDER BY created_at DESC, task_id DESC LIMIT ?",
        TENANT,
        SESSION,
        10);
    assertUses(
        "async_tasks_status_ix",
        cols + " AND status = ? ORDER BY created_at DESC, task_id DESC LIMIT ?",
        TENANT,
        "RUNNING",
        10);
  }

  @Test
  void resumeHandleQueriesUseTheirIndexes() throws SQLException {
    String waiting = "status IN ('PENDING_PAUSE', 'PAUSED')";
    assertUses(
        "idx_flow_resume_handles_unique_correlation",
        "SELECT * FROM flow_resume_handles WHERE tenant_id = ? AND correlation_id = ? AND "
            + waiting,
        TENANT,
        "corr10");
    assertUses(
        "flow_resume_handles_correlation_ix",
        "SELECT * FROM flow_resume_handles WHERE tenant_id = ? AND correlation_id = ? ORDER BY created_at DESC LIMIT 1",
        TENANT,
        "corr7");
    assertUses(
        "flow_resume_handles_session_ix",
        "SELECT * FROM flow_resume_handles WHERE tenant_id = ? AND session_id = ? ORDER BY created_at DESC, handle_id DESC LIMIT ?",
        TENANT,
        SESSION,
        10);
    assertUses(
        "flow_resume_handles_expiry_ix",
        "UPDATE flow_resume_handles SET status = 'EXPIRED' WHERE tenant_id = ? AND "
            + waiting
            + " AND expires_at IS NOT NULL AND expires_at <= now()",
        TENANT);
  }

  @Test
  void commandQueriesUseTheirIndexes() throws SQLException {
    assertUses(
        "command_inbox_session_ix",
        "SELECT * FROM command_inbox WHERE tenant_id = ? AND session_id = ? ORDER BY created_at DESC, command_id DESC LIMIT ?",
        TENANT,
        SESSION,
        10);
    assertUses(
        "idx_command_inbox_unique_pending_command",
        "SELECT * FROM command_inbox WHERE tenant_id = ? AND session_id = ? AND command_type = ? AND status IN ('RECEIVED', 'PROCESSING')",
        TENANT,
        SESSION,
        "cmd7");
    assertUses(
        "command_inbox_idempotency_key_uq",
        "SELECT * FROM command_inbox WHERE tenant_id = ? AND idempotency_key = ?",
        TENANT,
        "k7");
  }
}
