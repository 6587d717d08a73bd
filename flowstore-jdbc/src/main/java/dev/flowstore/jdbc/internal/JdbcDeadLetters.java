package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The DLQ state machine and the dead-letter queue in SQL. {@link #complete} moves a job {@code
 * dlq_pending -> dlq_recorded} (writing its DLQ item and {@code job.dead_lettered} audit entry in
 * the same transaction) and then {@code dlq_recorded -> failed}. Each move is a conditional update
 * on the current status, so after a crash anywhere the job sits in one of the two states until
 * {@code recoverDlq} runs the remaining moves, and running them twice (or concurrently) writes the
 * item and the audit entry once.
 */
final class JdbcDeadLetters implements DeadLetters, DeadLettering.Moves {
  static final String ACTOR = "flowstore.queue";

  private final Scope scope;
  private final Dialect dialect;
  private final JobRows rows;

  JdbcDeadLetters(Scope scope, JobRows rows) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = rows;
  }

  private String tenant() {
    return scope.tenant().value();
  }

  /**
   * Runs the remaining DLQ moves of a job.
   *
   * @return true when this call moved it to failed
   */
  @Override
  public boolean complete(UUID jobId) {
    scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          if (move(c, jobId, "dlq_pending", "dlq_recorded", now) == 0) return null;
          Job job = rows.find(c, jobId, false).orElseThrow();
          rows.insertDlqItem(c, job, now);
          audit(c, job, "job.dead_lettered", "dlq_pending", "dlq_recorded");
          Faults.hit(Faults.Point.DLQ_RECORD_BEFORE_COMMIT);
          return null;
        });
    Faults.hit(Faults.Point.DLQ_RECORDED_COMMITTED);
    return scope.write(c -> move(c, jobId, "dlq_recorded", "failed", scope.flowstore().now()) == 1);
  }

  @Override
  public Optional<Job> find(UUID jobId) {
    return scope.read(c -> rows.find(c, jobId, false));
  }

  private int move(Connection c, UUID jobId, String from, String to, Instant now)
      throws SQLException {
    Sql sql = new Sql(dialect, "UPDATE jobs SET status = ?, updated_at = ?", to, now);
    if ("failed".equals(to)) sql.append(", finished_at = ?", now);
    return Columns.update(
        c, sql.append(" WHERE tenant_id = ? AND job_id = ? AND status = ?", tenant(), jobId, from));
  }

  private void audit(Connection c, Job job, String action, String from, String to) {
    ObjectNode before = JsonNodeFactory.instance.objectNode().put("status", from);
    ObjectNode after =
        JsonNodeFactory.instance
            .objectNode()
            .put("status", to)
            .put("queue", job.queue())
            .put("job_type", job.jobType())
            .put("message_id", job.messageId().toString())
            .put("attempts", job.attempt())
            .put("last_error", job.lastError());
    new JdbcAuditLog(scope.flowstore().joined(scope.tenant(), c))
        .append(
            new NewAuditEntry(
                ACTOR, action, "job", job.jobId().toString(), job.traceId(), before, after));
  }

  @Override
  public List<DlqItem> list(String queue, UUID afterJobId, int limit) {
    if (queue != null) QueueValidation.queue(queue);
    RecordValidation.limit(limit);
    return scope.read(
        c -> {
          if (afterJobId != null && rows.dlqItem(c, afterJobId).isEmpty())
            throw notInDlq(afterJobId);
          return rows.dlqPage(c, queue, afterJobId, limit);
        });
  }

  @Override
  public Optional<JobDetail> inspect(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    return scope.read(c -> rows.detail(c, jobId)).filter(d -> d.deadLetter() != null);
  }

  private static FlowstoreException notInDlq(UUID jobId) {
    return new FlowstoreException(ErrorCode.NOT_FOUND, "job " + jobId + " is not in the DLQ");
  }

  /** The dead-lettered job, row-locked. */
  private Job dead(Connection c, UUID jobId) throws SQLException {
    Optional<Job> job = rows.find(c, jobId, true);
    if (job.isEmpty()
        || job.get().status() != Job.Status.FAILED
        || rows.dlqItem(c, jobId).isEmpty()) throw notInDlq(jobId);
    return job.get();
  }

  @Override
  public Job redrive(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    return scope.write(
        c -> {
          Job job = dead(c, jobId);
          if (job.uniqueKey() != null
              && rows.activeByKey(c, job.queue(), job.uniqueKey()).isPresent()) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "job "
                    + jobId
                    + ": an active job of queue '"
                    + job.queue()
                    + "' holds unique_key '"
                    + job.uniqueKey()
                    + "'");
          }
          Instant now = scope.flowstore().now();
          Columns.update(
              c,
              new Sql(
                  dialect,
                  "UPDATE jobs SET status = 'queued', attempt = 0, message_id = ?, run_at = ?, finished_at = NULL, updated_at = ? WHERE tenant_id = ? AND job_id = ? AND status = 'failed'",
                  Uuids.next(),
                  now,
                  now,
                  tenant(),
                  jobId));
          deleteItem(c, jobId);
          audit(c, job, "job.redriven", "failed", "queued");
          QueueWakeups.announce(scope, job.queue());
          return rows.find(c, jobId, false).orElseThrow();
        });
  }

  private void deleteItem(Connection c, UUID jobId) throws SQLException {
    Columns.update(
        c,
        new Sql(
            dialect, "DELETE FROM dlq_items WHERE tenant_id = ? AND job_id = ?", tenant(), jobId));
  }

  @Override
  public void purge(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    scope.write(
        c -> {
          purge(c, dead(c, jobId));
          return null;
        });
  }

  private void purge(Connection c, Job job) throws SQLException {
    deleteItem(c, job.jobId());
    for (String table : List.of("job_attempts", "jobs")) {
      Columns.update(
          c,
          new Sql(
              dialect,
              "DELETE FROM " + table + " WHERE tenant_id = ? AND job_id = ?",
              tenant(),
              job.jobId()));
    }
    audit(c, job, "job.purged", "failed", "purged");
  }

  @Override
  public int purgeQueue(String queue) {
    QueueValidation.queue(queue);
    return scope.write(
        c -> {
          List<UUID> ids =
              Columns.list(
                  c,
                  new Sql(
                      dialect,
                      "SELECT job_id FROM dlq_items WHERE tenant_id = ? AND queue = ?",
                      tenant(),
                      queue),
                  rs -> dialect.getUuid(rs, "job_id"));
          for (UUID id : ids) purge(c, dead(c, id));
          return ids.size();
        });
  }
}
