package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.QueueContents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The SQL queue's contents ({@code jobs} with their {@code job_attempts}), for copying and
 * comparing it with another queue backend's ({@link QueueSwitch}). Each batch is read in its own
 * read transaction and written in one write transaction of the tenant (so row-level security
 * applies as for the tenant's own writes). A written job replaces a row with its id (the DLQ copy a
 * Redis queue keeps in {@code jobs}, or a row an interrupted copy wrote) and its attempt rows;
 * {@code dlq_items} are the store's and are copied with its tables.
 */
final class JdbcQueueContents implements QueueContents {
  private final JdbcFlowstore fs;

  JdbcQueueContents(JdbcFlowstore fs) {
    this.fs = fs;
  }

  /** The store whose queue this is. */
  JdbcFlowstore store() {
    return fs;
  }

  @Override
  public List<TenantId> tenants() {
    return fs.tenants();
  }

  @Override
  public long count(TenantId tenant) {
    return fs.read(
        tenant,
        c ->
            Columns.one(
                    c,
                    new Sql(
                        fs.dialect(),
                        "SELECT COUNT(*) AS n FROM jobs WHERE tenant_id = ?",
                        tenant.value()),
                    rs -> rs.getLong("n"))
                .orElse(0L));
  }

  @Override
  public void read(TenantId tenant, int batchSize, Consumer<List<StoredJob>> batch) {
    Dialect d = fs.dialect();
    JobRows rows = new JobRows(d, tenant);
    long after = Long.MIN_VALUE;
    while (true) {
      long from = after;
      List<StoredJob> page =
          fs.read(
              tenant,
              c -> {
                List<Job> jobs =
                    Columns.list(
                        c,
                        new Sql(
                            d,
                            "SELECT "
                                + JobRows.COLUMNS
                                + " FROM jobs WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                            tenant.value(),
                            from,
                            batchSize),
                        rows::job);
                return withAttempts(c, d, tenant, jobs);
              });
      if (page.isEmpty()) return;
      batch.accept(page);
      after = page.get(page.size() - 1).job().seq();
      if (page.size() < batchSize) return;
    }
  }

  /**
   * The jobs of {@code ids} (those that exist) with their attempts, read on {@code c} (a snapshot
   * scoped to the tenant: the mirror's read of a primary).
   */
  static List<StoredJob> byIds(Connection c, Dialect d, TenantId tenant, List<UUID> ids)
      throws SQLException {
    if (ids.isEmpty()) return List.of();
    Sql q =
        new Sql(
            d,
            "SELECT " + JobRows.COLUMNS + " FROM jobs WHERE tenant_id = ? AND job_id IN (",
            tenant.value());
    for (int i = 0; i < ids.size(); i++) q.append(i == 0 ? "?" : ", ?", ids.get(i));
    q.append(") ORDER BY seq");
    return withAttempts(c, d, tenant, Columns.list(c, q, new JobRows(d, tenant)::job));
  }

  private static List<StoredJob> withAttempts(
      Connection c, Dialect d, TenantId tenant, List<Job> jobs) throws SQLException {
    if (jobs.isEmpty()) return List.of();
    Map<UUID, List<JobAttempt>> attempts = new HashMap<>();
    Sql q =
        new Sql(
            d,
            "SELECT job_id, attempt, token, outcome, error, leased_at, finished_at FROM job_attempts WHERE tenant_id = ? AND job_id IN (",
            tenant.value());
    for (int i = 0; i < jobs.size(); i++) q.append(i == 0 ? "?" : ", ?", jobs.get(i).jobId());
    q.append(") ORDER BY job_id, token");
    Columns.list(
        c,
        q,
        rs -> {
          attempts
              .computeIfAbsent(d.getUuid(rs, "job_id"), k -> new ArrayList<>())
              .add(
                  new JobAttempt(
                      rs.getInt("attempt"),
                      rs.getLong("token"),
                      JobAttempt.Outcome.valueOf(rs.getString("outcome").toUpperCase(Locale.ROOT)),
                      rs.getString("error"),
                      d.getTime(rs, "leased_at"),
                      Columns.getTime(d, rs, "finished_at")));
          return null;
        });
    List<StoredJob> out = new ArrayList<>(jobs.size());
    for (Job j : jobs)
      out.add(new StoredJob(j, attempts.getOrDefault(j.jobId(), Collections.emptyList())));
    return out;
  }

  @Override
  public int write(TenantId tenant, List<StoredJob> jobs) {
    if (jobs.isEmpty()) return 0;
    return fs.write(tenant, c -> writeIn(c, tenant, jobs));
  }

  /**
   * The mirror's write (docs/mirror.md "The Redis queue"): in one transaction of the tenant, {@code
   * current} replaces the jobs with their ids (inserted when new; in {@code seq} order, so the new
   * ones are numbered in enqueue order) and the jobs {@code gone} names are deleted, with their
   * attempts and any DLQ item (the primary deleted the job).
   *
   * @return {rows written, rows deleted}
   */
  @Override
  public int[] replace(TenantId tenant, List<StoredJob> current, List<UUID> gone) {
    if (current.isEmpty() && gone.isEmpty()) return new int[2];
    List<StoredJob> ordered = new ArrayList<>(current);
    ordered.sort(java.util.Comparator.comparingLong(s -> s.job().seq()));
    Dialect d = fs.dialect();
    return fs.write(
        tenant,
        c -> {
          int written = ordered.isEmpty() ? 0 : writeIn(c, tenant, ordered);
          return new int[] {written, delete(c, tenant, gone)};
        });
  }

  private int writeIn(Connection c, TenantId tenant, List<StoredJob> jobs) throws SQLException {
    Dialect d = fs.dialect();
    String upsert =
        "INSERT INTO jobs ("
            + d.seqColumns()
            + "tenant_id, job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, lease_expires_at, last_error, created_at, updated_at, finished_at) VALUES ("
            + d.seqValues("jobs")
            + "?, ?, ?, ?, ?, ?, ?, "
            + d.jsonParam()
            + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, job_id) DO UPDATE SET message_id = excluded.message_id, event_id = excluded.event_id, trace_id = excluded.trace_id, queue = excluded.queue, job_type = excluded.job_type, payload = excluded.payload, priority = excluded.priority, run_at = excluded.run_at, attempt = excluded.attempt, max_attempts = excluded.max_attempts, unique_key = excluded.unique_key, status = excluded.status, lease_seq = excluded.lease_seq, lease_expires_at = excluded.lease_expires_at, last_error = excluded.last_error, created_at = excluded.created_at, updated_at = excluded.updated_at, finished_at = excluded.finished_at";
    List<Object[]> attempts = new ArrayList<>();
    for (StoredJob s : jobs) for (JobAttempt a : s.attempts()) attempts.add(new Object[] {s, a});
    Columns.batch(
        c,
        upsert,
        jobs,
        (ps, s) -> {
          Job j = s.job();
          int i = 1;
          ps.setString(i++, tenant.value());
          Columns.setUuid(d, ps, i++, j.jobId());
          Columns.setUuid(d, ps, i++, j.messageId());
          Columns.setUuid(d, ps, i++, j.eventId());
          Columns.setText(ps, i++, j.traceId());
          ps.setString(i++, j.queue());
          ps.setString(i++, j.jobType());
          ps.setString(i++, Json.write(j.payload()));
          ps.setInt(i++, j.priority());
          Columns.setTime(d, ps, i++, j.runAt());
          ps.setInt(i++, j.attempt());
          ps.setInt(i++, j.maxAttempts());
          Columns.setText(ps, i++, j.uniqueKey());
          ps.setString(i++, j.status().wire());
          ps.setLong(i++, j.leaseToken());
          Columns.setTime(d, ps, i++, j.leaseExpiresAt());
          Columns.setText(ps, i++, j.lastError());
          Columns.setTime(d, ps, i++, j.createdAt());
          Columns.setTime(d, ps, i++, j.updatedAt());
          Columns.setTime(d, ps, i, j.finishedAt());
        });
    Columns.batch(
        c,
        "DELETE FROM job_attempts WHERE tenant_id = ? AND job_id = ?",
        jobs,
        (ps, s) -> {
          ps.setString(1, tenant.value());
          Columns.setUuid(d, ps, 2, s.job().jobId());
        });
    Columns.batch(
        c,
        "INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, error, leased_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        attempts,
        (PreparedStatement ps, Object[] pair) -> {
          StoredJob s = (StoredJob) pair[0];
          JobAttempt a = (JobAttempt) pair[1];
          ps.setString(1, tenant.value());
          Columns.setUuid(d, ps, 2, s.job().jobId());
          ps.setLong(3, a.token());
          ps.setInt(4, a.attempt());
          ps.setString(5, a.outcome().name().toLowerCase(Locale.ROOT));
          Columns.setText(ps, 6, a.error());
          Columns.setTime(d, ps, 7, a.leasedAt());
          Columns.setTime(d, ps, 8, a.finishedAt());
        });
    fs.registerTenant(c, tenant);
    return jobs.size();
  }

  /**
   * Deletes the tenant's jobs that {@code keep} does not name and that have no DLQ item: rows a
   * deployment with a queue outside the database does not serve (its {@code jobs} holds the DLQ's
   * jobs only; a row with an item is the DLQ's truth and stays).
   *
   * @return how many were deleted
   */
  int removeUnserved(TenantId tenant, java.util.Set<UUID> keep) {
    Dialect d = fs.dialect();
    return fs.write(
        tenant,
        c -> {
          List<UUID> doomed =
              Columns.list(
                  c,
                  new Sql(
                      d,
                      "SELECT job_id FROM jobs j WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM dlq_items i WHERE i.tenant_id = j.tenant_id AND i.job_id = j.job_id)",
                      tenant.value()),
                  rs -> d.getUuid(rs, "job_id"));
          List<UUID> gone = doomed.stream().filter(id -> !keep.contains(id)).toList();
          delete(c, tenant, gone);
          return gone.size();
        });
  }

  /** Deletes the jobs (their attempts and DLQ items go with them); how many there were. */
  private int delete(Connection c, TenantId tenant, List<UUID> ids) throws SQLException {
    Dialect d = fs.dialect();
    int n = 0;
    for (int k :
        Columns.batch(
            c,
            "DELETE FROM jobs WHERE tenant_id = ? AND job_id = ?",
            ids,
            (ps, id) -> {
              ps.setString(1, tenant.value());
              Columns.setUuid(d, ps, 2, id);
            })) n += Math.max(0, k);
    return n;
  }

  @Override
  public boolean isEmpty() {
    return true;
  }

  @Override
  public String describe() {
    return fs.describe();
  }
}
