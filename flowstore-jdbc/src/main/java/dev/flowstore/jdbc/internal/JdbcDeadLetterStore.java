package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.DeadLetterStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL side of the DLQ for a queue backend outside the database (Redis): a dead-lettered job is
 * copied into {@code jobs} (status failed, so the SQL DLQ API and a later switch back to the SQL
 * queue see it too) with its {@code dlq_items} row and the {@code job.dead_lettered} audit entry,
 * in one transaction. The audit entry is written only by the call whose insert of the item won, so
 * a repeated or concurrent step writes it once.
 */
final class JdbcDeadLetterStore implements DeadLetterStore {
  private final JdbcFlowstore fs;

  JdbcDeadLetterStore(JdbcFlowstore fs) {
    this.fs = fs;
  }

  @Override
  public void registerTenant(TenantId tenant) {
    fs.write(
        tenant,
        c -> {
          fs.registerTenant(c, tenant);
          return null;
        });
  }

  @Override
  public boolean record(TenantId tenant, Job job) {
    Dialect d = fs.dialect();
    return fs.write(
        tenant,
        c -> {
          Instant now = fs.now();
          Columns.update(
              c,
              new Sql(
                  d,
                  "INSERT INTO jobs (tenant_id, job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, last_error, created_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                      + d.jsonParam()
                      + ", ?, ?, ?, ?, ?, 'failed', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                  tenant.value(),
                  job.jobId(),
                  job.messageId(),
                  job.eventId(),
                  Sql.text(job.traceId()),
                  job.queue(),
                  job.jobType(),
                  Json.write(job.payload()),
                  job.priority(),
                  job.runAt(),
                  job.attempt(),
                  job.maxAttempts(),
                  Sql.text(job.uniqueKey()),
                  job.leaseToken(),
                  Sql.text(job.lastError()),
                  job.createdAt(),
                  now,
                  now));
          int inserted = new JobRows(d, tenant).insertDlqItem(c, job, now);
          if (inserted == 1) {
            audit(
                tenant,
                c,
                job.jobId().toString(),
                job.traceId(),
                "job.dead_lettered",
                "dlq_pending",
                after("dlq_recorded", job.queue(), job.jobType(), job.messageId())
                    .put("attempts", job.attempt())
                    .put("last_error", job.lastError()));
          }
          Faults.hit(Faults.Point.DLQ_RECORD_BEFORE_COMMIT);
          return inserted == 1;
        });
  }

  @Override
  public Optional<DlqItem> find(TenantId tenant, UUID jobId) {
    JobRows rows = new JobRows(fs.dialect(), tenant);
    return fs.read(tenant, c -> rows.dlqItem(c, jobId));
  }

  @Override
  public List<DlqItem> list(TenantId tenant, String queue, UUID afterJobId, int limit) {
    JobRows rows = new JobRows(fs.dialect(), tenant);
    return fs.read(
        tenant,
        c -> {
          if (afterJobId != null && rows.dlqItem(c, afterJobId).isEmpty())
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND, "job " + afterJobId + " is not in the DLQ");
          return rows.dlqPage(c, queue, afterJobId, limit);
        });
  }

  @Override
  public boolean remove(TenantId tenant, UUID jobId, String action, String toStatus) {
    Dialect d = fs.dialect();
    JobRows rows = new JobRows(d, tenant);
    return fs.write(
        tenant,
        c -> {
          Optional<DlqItem> item = rows.dlqItem(c, jobId);
          if (item.isEmpty()) return false;
          for (String table : List.of("dlq_items", "job_attempts", "jobs")) {
            Columns.update(
                c,
                new Sql(
                    d,
                    "DELETE FROM " + table + " WHERE tenant_id = ? AND job_id = ?",
                    tenant.value(),
                    jobId));
          }
          DlqItem i = item.get();
          audit(
              tenant,
              c,
              jobId.toString(),
              i.traceId(),
              action,
              "failed",
              after(toStatus, i.queue(), i.jobType(), i.messageId())
                  .put("attempts", i.attempts())
                  .put("last_error", i.lastError()));
          return true;
        });
  }

  private static ObjectNode after(String status, String queue, String jobType, UUID messageId) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("status", status)
        .put("queue", queue)
        .put("job_type", jobType)
        .put("message_id", messageId.toString());
  }

  private void audit(
      TenantId tenant,
      Connection c,
      String jobId,
      String traceId,
      String action,
      String from,
      ObjectNode after)
      throws SQLException {
    new JdbcAuditLog(fs.joined(tenant, c))
        .append(
            new NewAuditEntry(
                JdbcDeadLetters.ACTOR,
                action,
                "job",
                jobId,
                traceId,
                JsonNodeFactory.instance.objectNode().put("status", from),
                after));
  }
}
