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
        new Sql(
            dialect,
            "SELECT "
                + COLUMNS
                + " FROM jobs WHERE tenant_id = ? AND job_id = ?"
                + (lock ? dialect.forUpdate() : ""),
            tenant.value(),
            jobId),
        this::job);
  }

  /** Several jobs by id, in no particular order. */
  List<Job> findAll(Connection c, List<UUID> ids) throws SQLException {
    if (ids.isEmpty()) return List.of();
    Sql sql =
        new Sql(
                dialect,
                "SELECT " + COLUMNS + " FROM jobs WHERE tenant_id = ? AND job_id IN (",
                tenant.value())
            .appendList(", ", ids)
            .append(")");
    return Columns.list(c, sql, this::job);
  }

  /** The active job of a queue holding a unique key. */
  Optional<Job> activeByKey(Connection c, String queue, String uniqueKey) throws SQLException {
    return Columns.one(
        c,
        new Sql(
            dialect,
            "SELECT "
                + COLUMNS
                + " FROM jobs WHERE tenant_id = ? AND queue = ? AND unique_key = ? AND status IN "
                + ACTIVE,
            tenant.value(),
            queue,
            uniqueKey),
        this::job);
  }

  /** A queue and a unique key: who holds it is asked with {@link #activeByKeys}. */
  record QueueKey(String queue, String uniqueKey) {}

  /**
   * The active jobs holding any of {@code keys}, each a probe of the unique-key index.
   *
   * <p>why the keys joined first, not {@code unique_key IN (...)}: without the queue the index
   * (tenant_id, queue, unique_key) cannot be probed, and SQLite then reads every job of the tenant.
   */
  List<Job> activeByKeys(Connection c, List<QueueKey> keys) throws SQLException {
    return keys.isEmpty() ? List.of() : Columns.list(c, activeByKeysSql(keys), this::job);
  }

  Sql activeByKeysSql(List<QueueKey> keys) {
    Sql sql = new Sql(dialect, "SELECT " + COLUMNS + " FROM (");
    for (int i = 0; i < keys.size(); i++)
      sql.append(
          i == 0 ? "SELECT ? AS q, ? AS k" : " UNION ALL SELECT ?, ?",
          keys.get(i).queue(),
          keys.get(i).uniqueKey());
    sql.append(
        ") keys CROSS JOIN jobs WHERE tenant_id = ? AND queue = keys.q AND unique_key = keys.k"
            + " AND unique_key IS NOT NULL AND status IN "
            + ACTIVE,
        tenant.value());
    return sql;
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
        new Sql(
            dialect,
            "UPDATE job_attempts SET outcome = ?, error = ?, finished_at = ? WHERE tenant_id = ? AND job_id = ? AND token = ? AND outcome = 'leased'",
            outcome,
            Sql.text(error),
            now,
            tenant.value(),
            jobId,
            token));
  }

  List<JobAttempt> attempts(Connection c, UUID jobId) throws SQLException {
    return Columns.list(
        c,
        new Sql(
            dialect,
            "SELECT attempt, token, outcome, error, leased_at, finished_at FROM job_attempts WHERE tenant_id = ? AND job_id = ? ORDER BY token",
            tenant.value(),
            jobId),
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
        new Sql(
            dialect,
            "SELECT " + DLQ_COLUMNS + " FROM dlq_items WHERE tenant_id = ? AND job_id = ?",
            tenant.value(),
            jobId),
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
        new Sql(
            dialect,
            "INSERT INTO dlq_items (tenant_id, "
                + DLQ_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, "
                + dialect.jsonParam()
                + ", ?, ?, ?) ON CONFLICT DO NOTHING",
            tenant.value(),
            job.jobId(),
            job.messageId(),
            job.eventId(),
            Sql.text(job.traceId()),
            job.queue(),
            job.jobType(),
            Json.write(job.payload()),
            job.attempt(),
            Sql.text(job.lastError()),
            now));
  }

  /** DLQ items oldest first, optionally of one queue, after a cursor item. */
  List<DlqItem> dlqPage(Connection c, String queue, UUID after, int limit) throws SQLException {
    Sql sql =
        new Sql(
            dialect,
            "SELECT " + DLQ_COLUMNS + " FROM dlq_items WHERE tenant_id = ?",
            tenant.value());
    if (queue != null) sql.append(" AND queue = ?", queue);
    if (after != null)
      sql.append(
          " AND (created_at, job_id) > (SELECT created_at, job_id FROM dlq_items WHERE tenant_id = ? AND job_id = ?)",
          tenant.value(),
          after);
    return Columns.list(c, sql.append(" ORDER BY created_at, job_id LIMIT ?", limit), this::dlq);
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
