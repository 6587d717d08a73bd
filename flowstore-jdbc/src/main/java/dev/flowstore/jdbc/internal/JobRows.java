package dev.flowstore.jdbc.internal;

import dev.flowstore.DlqItem;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.JobDetail;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The queue's rows of one tenant ({@code jobs}, {@code job_attempts}, {@code dlq_items}): columns,
 * lookups, the writes several parts of the queue make, and mapping; shared by the queue, the DLQ
 * and the SQL side of an outside queue backend's DLQ ({@link JdbcDeadLetterStore}).
 */
final class JobRows {
  static final String COLUMNS =
      "job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, lease_expires_at, last_error, seq, created_at, updated_at, finished_at";
  static final String ACTIVE = "('queued', 'leased', 'dlq_pending', 'dlq_recorded')";
  private static final String DLQ_COLUMNS =
      "job_id, message_id, event_id, trace_id, queue, job_type, payload, attempts, last_error, created_at";

  private final Dialect dialect;
  private final TenantId tenant;

  JobRows(Dialect dialect, TenantId tenant) {
    this.dialect = dialect;
    this.tenant = tenant;
  }

  TenantId tenant() {
    return tenant;
  }

  Dialect dialect() {
    return dialect;
  }

  /** {@code t + d} to the microsecond, the precision both databases keep. */
  static Instant plus(Instant t, Duration d) {
    return t.plus(d).truncatedTo(ChronoUnit.MICROS);
  }

  /** The job, optionally row-locked until commit. */
  Optional<Job> find(Connection c, UUID jobId, boolean lock) throws SQLException {
    return Columns.one(
        c,
        "SELECT "
            + COLUMNS
            + " FROM jobs WHERE tenant_id = ? AND job_id = ?"
            + (lock ? dialect.forUpdate() : ""),
        ps -> {
          ps.setString(1, tenant.value());
          dialect.setUuid(ps, 2, jobId);
        },
        this::job);
  }

  /** Several jobs by id, in no particular order. */
  List<Job> findAll(Connection c, List<UUID> ids) throws SQLException {
    if (ids.isEmpty()) return List.of();
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return Columns.list(
        c,
        "SELECT " + COLUMNS + " FROM jobs WHERE tenant_id = ? AND job_id IN (" + marks + ")",
        ps -> {
          ps.setString(1, tenant.value());
          for (int i = 0; i < ids.size(); i++) dialect.setUuid(ps, i + 2, ids.get(i));
        },
        this::job);
  }

  /** The active job of a queue holding a unique key. */
  Optional<Job> activeByKey(Connection c, String queue, String uniqueKey) throws SQLException {
    return Columns.one(
        c,
        "SELECT "
            + COLUMNS
            + " FROM jobs WHERE tenant_id = ? AND queue = ? AND unique_key = ? AND status IN "
            + ACTIVE,
        ps -> {
          ps.setString(1, tenant.value());
          ps.setString(2, queue);
          ps.setString(3, uniqueKey);
        },
        this::job);
  }

  /**
   * The active jobs holding any of these unique keys, in any queue (the caller matches the queue),
   * in no particular order.
   */
  List<Job> activeByKeys(Connection c, List<String> uniqueKeys) throws SQLException {
    if (uniqueKeys.isEmpty()) return List.of();
    String marks = String.join(", ", java.util.Collections.nCopies(uniqueKeys.size(), "?"));
    return Columns.list(
        c,
        "SELECT "
            + COLUMNS
            + " FROM jobs WHERE tenant_id = ? AND unique_key IN ("
            + marks
            + ") AND status IN "
            + ACTIVE,
        ps -> {
          ps.setString(1, tenant.value());
          for (int i = 0; i < uniqueKeys.size(); i++) ps.setString(i + 2, uniqueKeys.get(i));
        },
        this::job);
  }

  /** Opens one attempt row ({@code outcome = 'leased'}) per job just leased, as one JDBC batch. */
  void recordLeases(Connection c, List<Job> leased, Instant now) throws SQLException {
    Columns.batch(
        c,
        "INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at) VALUES (?, ?, ?, ?, 'leased', ?)",
        leased,
        (ps, j) -> {
          ps.setString(1, tenant.value());
          dialect.setUuid(ps, 2, j.jobId());
          ps.setLong(3, j.leaseToken());
          ps.setInt(4, j.attempt());
          dialect.setTime(ps, 5, now);
        });
  }

  /** Ends the open attempt of the delivery {@code token} with {@code outcome}. */
  void finishAttempt(
      Connection c, UUID jobId, long token, String outcome, String error, Instant now)
      throws SQLException {
    Columns.update(
        c,
        "UPDATE job_attempts SET outcome = ?, error = ?, finished_at = ? WHERE tenant_id = ? AND job_id = ? AND token = ? AND outcome = 'leased'",
        ps -> {
          ps.setString(1, outcome);
          Columns.setText(ps, 2, error);
          dialect.setTime(ps, 3, now);
          ps.setString(4, tenant.value());
          dialect.setUuid(ps, 5, jobId);
          ps.setLong(6, token);
        });
  }

  List<JobAttempt> attempts(Connection c, UUID jobId) throws SQLException {
    return Columns.list(
        c,
        "SELECT attempt, token, outcome, error, leased_at, finished_at FROM job_attempts WHERE tenant_id = ? AND job_id = ? ORDER BY token",
        ps -> {
          ps.setString(1, tenant.value());
          dialect.setUuid(ps, 2, jobId);
        },
        rs ->
            new JobAttempt(
                rs.getInt("attempt"),
                rs.getLong("token"),
                JobAttempt.Outcome.valueOf(rs.getString("outcome").toUpperCase(Locale.ROOT)),
                rs.getString("error"),
                dialect.getTime(rs, "leased_at"),
                Columns.getTime(dialect, rs, "finished_at")));
  }

  Optional<DlqItem> dlqItem(Connection c, UUID jobId) throws SQLException {
    return Columns.one(
        c,
        "SELECT " + DLQ_COLUMNS + " FROM dlq_items WHERE tenant_id = ? AND job_id = ?",
        ps -> {
          ps.setString(1, tenant.value());
          dialect.setUuid(ps, 2, jobId);
        },
        this::dlq);
  }

  /**
   * The job's DLQ item (attempts and last error as {@code job} has them), unless it has one.
   *
   * @return 1 when this call inserted it, else 0
   */
  int insertDlqItem(Connection c, Job job, Instant now) throws SQLException {
    return Columns.update(
        c,
        "INSERT INTO dlq_items (tenant_id, "
            + DLQ_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, "
            + dialect.jsonParam()
            + ", ?, ?, ?) ON CONFLICT DO NOTHING",
        ps -> {
          ps.setString(1, tenant.value());
          dialect.setUuid(ps, 2, job.jobId());
          dialect.setUuid(ps, 3, job.messageId());
          Columns.setUuid(dialect, ps, 4, job.eventId());
          Columns.setText(ps, 5, job.traceId());
          ps.setString(6, job.queue());
          ps.setString(7, job.jobType());
          ps.setString(8, Json.write(job.payload()));
          ps.setInt(9, job.attempt());
          Columns.setText(ps, 10, job.lastError());
          dialect.setTime(ps, 11, now);
        });
  }

  /** DLQ items oldest first, optionally of one queue, after a cursor item. */
  List<DlqItem> dlqPage(Connection c, String queue, UUID after, int limit) throws SQLException {
    String sql =
        "SELECT "
            + DLQ_COLUMNS
            + " FROM dlq_items WHERE tenant_id = ?"
            + (queue == null ? "" : " AND queue = ?")
            + (after == null
                ? ""
                : " AND (created_at, job_id) > (SELECT created_at, job_id FROM dlq_items WHERE tenant_id = ? AND job_id = ?)")
            + " ORDER BY created_at, job_id LIMIT ?";
    return Columns.list(
        c,
        sql,
        ps -> {
          int i = 1;
          ps.setString(i++, tenant.value());
          if (queue != null) ps.setString(i++, queue);
          if (after != null) {
            ps.setString(i++, tenant.value());
            dialect.setUuid(ps, i++, after);
          }
          ps.setInt(i, limit);
        },
        this::dlq);
  }

  Optional<JobDetail> detail(Connection c, UUID jobId) throws SQLException {
    Optional<Job> job = find(c, jobId, false);
    if (job.isEmpty()) return Optional.empty();
    return Optional.of(
        new JobDetail(job.get(), attempts(c, jobId), dlqItem(c, jobId).orElse(null)));
  }

  Job job(ResultSet rs) throws SQLException {
    return new Job(
        dialect.getUuid(rs, "job_id"),
        dialect.getUuid(rs, "message_id"),
        Columns.getUuid(dialect, rs, "event_id"),
        tenant,
        rs.getString("trace_id"),
        rs.getString("queue"),
        rs.getString("job_type"),
        Columns.getJson(rs, "payload"),
        rs.getInt("priority"),
        dialect.getTime(rs, "run_at"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getString("unique_key"),
        Job.Status.fromWire(rs.getString("status")),
        rs.getLong("lease_seq"),
        Columns.getTime(dialect, rs, "lease_expires_at"),
        rs.getString("last_error"),
        rs.getLong("seq"),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"),
        Columns.getTime(dialect, rs, "finished_at"));
  }

  private DlqItem dlq(ResultSet rs) throws SQLException {
    return new DlqItem(
        dialect.getUuid(rs, "job_id"),
        dialect.getUuid(rs, "message_id"),
        Columns.getUuid(dialect, rs, "event_id"),
        rs.getString("trace_id"),
        rs.getString("queue"),
        rs.getString("job_type"),
        Columns.getJson(rs, "payload"),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        dialect.getTime(rs, "created_at"));
  }
}
