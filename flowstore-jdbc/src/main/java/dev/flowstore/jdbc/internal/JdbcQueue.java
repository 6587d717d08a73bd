package dev.flowstore.jdbc.internal;

import dev.flowstore.DeadLetters;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.JobQuery;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.QueueValidation.ValidJob;
import dev.flowstore.internal.RecordValidation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The job queue in SQL, one part per job: {@link JobInserts} (enqueue), {@link JobLeases} (lease,
 * expiry, waiting for work), {@link JobSettles} (ack, nack, heartbeat, release), {@link
 * JdbcDeadLetters} (the DLQ state machine and API); stats and DLQ recovery are here. A lease claims
 * jobs with the dialect's statement ({@link QueueSql}: on PostgreSQL a {@code FOR UPDATE SKIP
 * LOCKED} claim, so concurrent lessees skip each other's rows instead of waiting; on SQLite a
 * select then update under its single writer) and bumps each job's {@code lease_seq}, the fencing
 * token that every settle must present. See docs/queue.md.
 */
final class JdbcQueue implements Queue {
  private final Scope scope;
  private final JobRows rows;
  private final JdbcDeadLetters dlq;
  private final JobInserts inserts;
  private final JobLeases leases;
  private final JobSettles settles;

  JdbcQueue(Scope scope) {
    this.scope = scope;
    this.rows = new JobRows(scope.flowstore().dialect(), scope.tenant());
    this.dlq = new JdbcDeadLetters(scope, rows);
    this.inserts = new JobInserts(scope, rows);
    this.leases = new JobLeases(scope, rows, dlq);
    this.settles = new JobSettles(scope, rows, dlq);
  }

  @Override
  public Recorded<Job> enqueue(NewJob job) {
    ValidJob v = QueueValidation.job(job, scope.flowstore().config().maxPayloadBytes());
    return inserts.insertAll(List.of(v)).get(0);
  }

  @Override
  public List<Recorded<Job>> enqueueAll(List<NewJob> jobs) {
    return inserts.insertAll(
        QueueValidation.batch(jobs, scope.flowstore().config().maxPayloadBytes()));
  }

  @Override
  public List<Lease> lease(String queue, int max, Duration visibility) {
    return leases.lease(queue, max, visibility);
  }

  @Override
  public Job ack(UUID jobId, long token) {
    return settles.ack(jobId, token);
  }

  /** One ack waiting for a group commit. */
  record AckRequest(UUID jobId, long token) {}

  /** Settles a group commit's batch of acks ({@link AckGroup}) with the dialect's statements. */
  static Answers<Job> ackGroup(
      JdbcFlowstore fs, TenantId tenant, List<AckRequest> batch, boolean recheck) {
    Dialect d = fs.dialect();
    return d.queueSql().ack(fs, new AckGroup(new JobRows(d, tenant), batch, fs.now(), recheck));
  }

  @Override
  public Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    return settles.nack(jobId, token, error, retryDelay);
  }

  @Override
  public Lease heartbeat(UUID jobId, long token, Duration extend) {
    return settles.heartbeat(jobId, token, extend);
  }

  @Override
  public Job release(UUID jobId, long token) {
    return settles.release(jobId, token);
  }

  @Override
  public Optional<JobDetail> get(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    return scope.read(c -> rows.detail(c, jobId));
  }

  @Override
  public List<Job> list(JobQuery query) {
    Sql sql =
        new Sql(
            scope.flowstore().dialect(),
            "SELECT " + JobRows.COLUMNS + " FROM jobs WHERE tenant_id = ? AND queue = ?",
            scope.tenant().value(),
            query.queue());
    if (query.status() != null) sql.append(" AND status = ?", query.status().wire());
    if (query.jobType() != null) sql.append(" AND job_type = ?", query.jobType());
    if (query.beforeSeq() > 0) sql.append(" AND seq < ?", query.beforeSeq());
    sql.append(" ORDER BY seq DESC LIMIT ?", query.limit());
    return scope.read(c -> Columns.list(c, sql, rows::job));
  }

  @Override
  public List<QueueStats> stats() {
    record Count(String queue, String status, boolean delayed, long n) {}
    List<Count> counts =
        scope.read(
            c ->
                Columns.list(
                    c,
                    new Sql(
                        scope.flowstore().dialect(),
                        "SELECT queue, status, CASE WHEN status = 'queued' AND run_at > ? THEN 1 ELSE 0 END AS delayed, COUNT(*) AS n FROM jobs WHERE tenant_id = ? GROUP BY 1, 2, 3",
                        scope.flowstore().now(),
                        scope.tenant().value()),
                    rs ->
                        new Count(
                            rs.getString(1), rs.getString(2), rs.getInt(3) == 1, rs.getLong(4))));
    Map<String, long[]> byQueue = new TreeMap<>();
    for (Count k : counts) {
      long[] a = byQueue.computeIfAbsent(k.queue(), q -> new long[7]);
      int i =
          switch (Job.Status.fromWire(k.status())) {
            case QUEUED -> k.delayed() ? 1 : 0;
            case LEASED -> 2;
            case SUCCEEDED -> 3;
            case DLQ_PENDING -> 4;
            case DLQ_RECORDED -> 5;
            case FAILED -> 6;
          };
      a[i] += k.n();
    }
    List<QueueStats> out = new ArrayList<>();
    byQueue.forEach((q, a) -> out.add(new QueueStats(q, a[0], a[1], a[2], a[3], a[4], a[5], a[6])));
    return out;
  }

  @Override
  public int releaseExpired() {
    return leases.releaseExpired();
  }

  @Override
  public int recoverDlq() {
    Dialect dialect = scope.flowstore().dialect();
    List<UUID> stuck =
        scope.read(
            c ->
                Columns.list(
                    c,
                    new Sql(
                        dialect,
                        "SELECT job_id FROM jobs WHERE tenant_id = ? AND status IN ('dlq_pending', 'dlq_recorded') ORDER BY updated_at LIMIT "
                            + JobLeases.PAGE,
                        scope.tenant().value()),
                    rs -> dialect.getUuid(rs, "job_id")));
    int failed = 0;
    for (UUID id : stuck) if (dlq.complete(id)) failed++;
    return failed;
  }

  @Override
  public DeadLetters deadLetters() {
    return dlq;
  }

  @Override
  public boolean awaitWork(String queue, Duration timeout) throws InterruptedException {
    return leases.awaitWork(queue, timeout);
  }

  @Override
  public int purgeSucceeded(Instant finishedBefore, int max) {
    return JdbcRetention.purgeSucceeded(scope, finishedBefore, max);
  }
}
