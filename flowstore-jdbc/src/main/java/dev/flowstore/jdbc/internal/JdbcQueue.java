package dev.flowstore.jdbc.internal;

import dev.flowstore.Backoff;
import dev.flowstore.DeadLetters;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.QueueValidation.ValidJob;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The job queue in SQL. A lease is a claim: PostgreSQL runs one {@code UPDATE ... WHERE key IN
 * (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING ...}, so concurrent lessees skip each
 * other's rows instead of waiting; SQLite selects then updates inside its single write transaction
 * (the {@link Dialect} says which). Every lease bumps the job's {@code lease_seq}, the fencing
 * token; ack, heartbeat and release are one conditional {@code UPDATE ... WHERE status = 'leased'
 * AND lease_seq = ? RETURNING ...} (read the job only when nothing matched, to tell NOT_FOUND from
 * LEASE_LOST), nack first reads the job row-locked (it needs the attempt count) and proceeds only
 * when it is LEASED with exactly that token, so a stale holder changes nothing. Enqueue inserts a
 * JDBC batch with ON CONFLICT DO NOTHING (the partial unique index on active unique keys) and reads
 * the inserted rows and the winners of the conflicts with one query each. See docs/queue.md.
 */
final class JdbcQueue implements Queue {
  private static final int ATTEMPTS = 5;
  private static final int REAP_PAGE = 1000;
  private static final String EXPIRED = "lease expired";
  private static final Comparator<Job> LEASE_ORDER =
      Comparator.comparingInt(Job::priority)
          .reversed()
          .thenComparing(Job::runAt)
          .thenComparingLong(Job::seq);

  private final Scope scope;
  private final Dialect dialect;
  private final JobRows rows;
  private final JdbcDeadLetters dlq;
  // why: the wake-up generation each queue had when this instance last polled or waited, so a
  // signal between an empty lease and awaitWork is not lost
  private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

  JdbcQueue(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new JobRows(dialect, scope.tenant());
    this.dlq = new JdbcDeadLetters(scope, rows);
  }

  private String tenant() {
    return scope.tenant().value();
  }

  private Instant now() {
    return scope.flowstore().now();
  }

  private static Instant plus(Instant t, Duration d) {
    return t.plus(d).truncatedTo(ChronoUnit.MICROS);
  }

  private String key(String queue) {
    return QueueWakeups.key(tenant(), queue);
  }

  /** NOTIFY other processes (at commit) and wake this one's workers (after commit). */
  void announce(Connection c, String queue) throws SQLException {
    String key = key(queue);
    dialect.notifyWork(c, key);
    QueueWakeups wakeups = scope.flowstore().wakeups();
    scope.flowstore().afterCommitOrUnknown(() -> wakeups.signal(key));
  }

  private void listen() {
    JdbcFlowstore fs = scope.flowstore();
    QueueWakeups wakeups = fs.wakeups();
    wakeups.ensureListening(() -> dialect.listenForWork(fs.config(), wakeups::signal));
  }

  @Override
  public Recorded<Job> enqueue(NewJob job) {
    ValidJob v = QueueValidation.job(job, scope.flowstore().config().maxPayloadBytes());
    return insertAll(List.of(v)).get(0);
  }

  @Override
  public List<Recorded<Job>> enqueueAll(List<NewJob> jobs) {
    return insertAll(QueueValidation.batch(jobs, scope.flowstore().config().maxPayloadBytes()));
  }

  private String insertSql() {
    return "INSERT INTO jobs (tenant_id, job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
        + dialect.jsonParam()
        + ", ?, ?, 0, ?, ?, 'queued', 0, ?, ?) ON CONFLICT DO NOTHING";
  }

  /**
   * One JDBC batch of inserts (in order, so seq follows the list), one read of the inserted rows
   * and one read of the active holders of the unique keys that conflicted. A row that conflicted
   * but whose key holder is gone by then (or a job_id collision) takes the one-by-one retry path.
   */
  private List<Recorded<Job>> insertAll(List<ValidJob> jobs) {
    String sql = insertSql();
    return scope.write(
        c -> {
          // why: the sweeper reaps expired leases and finishes DLQ moves of every registered tenant
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = now();
          int n = jobs.size();
          List<UUID> ids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) ids.add(Uuids.next());
          List<Integer> order = new ArrayList<>(n);
          for (int i = 0; i < n; i++) order.add(i);
          int[] counts =
              Columns.batch(c, sql, order, (ps, i) -> bindInsert(ps, jobs.get(i), ids.get(i), now));
          List<UUID> insertedIds = new ArrayList<>(n);
          List<String> conflictedKeys = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (counts[i] != 0) insertedIds.add(ids.get(i));
            else if (jobs.get(i).job().uniqueKey() != null)
              conflictedKeys.add(jobs.get(i).job().uniqueKey());
          }
          Map<UUID, Job> inserted = new HashMap<>();
          for (Job j : rows.findAll(c, insertedIds)) inserted.put(j.jobId(), j);
          Map<String, Job> holders = new HashMap<>();
          for (Job j : rows.activeByKeys(c, new ArrayList<>(new LinkedHashSet<>(conflictedKeys))))
            holders.put(j.queue() + '\u0000' + j.uniqueKey(), j);
          List<Recorded<Job>> out = new ArrayList<>(n);
          Set<String> woken = new LinkedHashSet<>();
          for (int i = 0; i < n; i++) {
            ValidJob v = jobs.get(i);
            NewJob j = v.job();
            Job mine = counts[i] != 0 ? inserted.get(ids.get(i)) : null;
            Job holder =
                mine == null && j.uniqueKey() != null
                    ? holders.get(j.queue() + '\u0000' + j.uniqueKey())
                    : null;
            Recorded<Job> r =
                mine != null
                    ? new Recorded<>(mine, false)
                    : holder != null ? new Recorded<>(holder, true) : insert(c, sql, v, now);
            if (!r.duplicate()) woken.add(j.queue());
            out.add(r);
          }
          for (String q : woken) announce(c, q);
          return out;
        });
  }

  private void bindInsert(PreparedStatement ps, ValidJob v, UUID id, Instant now)
      throws SQLException {
    NewJob j = v.job();
    Instant runAt = j.runAt() == null ? now : j.runAt().truncatedTo(ChronoUnit.MICROS);
    ps.setString(1, tenant());
    dialect.setUuid(ps, 2, id);
    dialect.setUuid(ps, 3, Uuids.next());
    Columns.setUuid(dialect, ps, 4, j.eventId());
    Columns.setText(ps, 5, j.traceId());
    ps.setString(6, j.queue());
    ps.setString(7, j.jobType());
    ps.setString(8, v.payloadJson());
    ps.setInt(9, j.priority());
    dialect.setTime(ps, 10, runAt);
    ps.setInt(11, j.maxAttempts());
    Columns.setText(ps, 12, j.uniqueKey());
    dialect.setTime(ps, 13, now);
    dialect.setTime(ps, 14, now);
  }

  /** One job, one row at a time with retries: the fallback of {@link #insertAll}. */
  private Recorded<Job> insert(Connection c, String sql, ValidJob v, Instant now)
      throws SQLException {
    NewJob j = v.job();
    for (int i = 0; i < ATTEMPTS; i++) {
      UUID id = Uuids.next();
      int inserted = Columns.update(c, sql, ps -> bindInsert(ps, v, id, now));
      if (inserted == 1) return new Recorded<>(rows.find(c, id, false).orElseThrow(), false);
      if (j.uniqueKey() != null) {
        Optional<Job> active = rows.activeByKey(c, j.queue(), j.uniqueKey());
        if (active.isPresent()) return new Recorded<>(active.get(), true);
      }
    }
    throw new FlowstoreException(
        ErrorCode.BACKEND_UNAVAILABLE,
        "queue busy: enqueue to '" + j.queue() + "' conflicted " + ATTEMPTS + " times, retry");
  }

  @Override
  public List<Lease> lease(String queue, int max, Duration visibility) {
    QueueValidation.queue(queue);
    QueueValidation.max(max);
    QueueValidation.positive("visibility", visibility);
    String key = key(queue);
    listen();
    lastSeen.put(key, scope.flowstore().wakeups().generation(key));
    JdbcFlowstore fs = scope.flowstore();
    Instant at = now();
    List<Job> leased;
    if (scope.ownsTransactions() && dialect.dataModifyingCtes() && !fs.reapDue(key, at)) {
      leased = claimAtOnce(fs, queue, max, at, plus(at, visibility));
    } else {
      leased = claim(queue, max, visibility);
      fs.reaped(key, at);
    }
    return leased.stream()
        .sorted(LEASE_ORDER)
        .map(j -> new Lease(j, j.leaseToken(), j.leaseExpiresAt()))
        .toList();
  }

  /**
   * PostgreSQL, outside a caller's transaction, when this queue's expired leases were ended less
   * than a second ago: the claim and its attempt rows as one statement, sent with the tenant scope
   * in one round trip.
   */
  private List<Job> claimAtOnce(
      JdbcFlowstore fs, String queue, int max, Instant now, Instant expires) {
    String sql =
        "WITH "
            + claimed()
            + ", leased AS ("
            + claimUpdate()
            + "), attempts AS (INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at)"
            + " SELECT ?, job_id, lease_seq, attempt, 'leased', ? FROM leased) SELECT "
            + JobRows.COLUMNS
            + " FROM leased";
    return fs.writeStatement(
        scope.tenant(),
        sql,
        (ps, i) -> {
          i = bindClaim(ps, i, queue, max, now, expires);
          ps.setString(i++, tenant());
          dialect.setTime(ps, i, now);
        },
        rows::job);
  }

  // the claim shared by claimReturning and claimAtOnce: claimed(), then claimUpdate(), bound by
  // bindClaim
  private String claimed() {
    return "claimed AS MATERIALIZED (SELECT job_id AS claimed_id"
        + READY
        + dialect.forUpdateSkipLocked()
        + ")";
  }

  private String claimUpdate() {
    return "UPDATE jobs SET "
        + CLAIM_SET
        + " FROM claimed WHERE tenant_id = ? AND job_id = claimed_id RETURNING "
        + JobRows.COLUMNS;
  }

  /** Binds the claim's parameters from {@code i} on; returns the next free index. */
  private int bindClaim(
      PreparedStatement ps, int i, String queue, int max, Instant now, Instant expires)
      throws SQLException {
    ps.setString(i++, tenant());
    ps.setString(i++, queue);
    dialect.setTime(ps, i++, now);
    ps.setInt(i++, max);
    dialect.setTime(ps, i++, expires);
    dialect.setTime(ps, i++, now);
    ps.setString(i++, tenant());
    return i;
  }

  /** Ends this queue's expired leases, claims, and records the attempts, in one transaction. */
  private List<Job> claim(String queue, int max, Duration visibility) {
    return scope.write(
        c -> {
          Instant now = now();
          Instant expires = plus(now, visibility);
          expire(c, queue, now, false);
          List<Job> jobs =
              dialect.claimsWithReturning()
                  ? claimReturning(c, queue, max, now, expires)
                  : claimThenUpdate(c, queue, max, now, expires);
          Columns.batch(
              c,
              "INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at) VALUES (?, ?, ?, ?, 'leased', ?)",
              jobs,
              (ps, j) -> {
                ps.setString(1, tenant());
                dialect.setUuid(ps, 2, j.jobId());
                ps.setLong(3, j.leaseToken());
                ps.setInt(4, j.attempt());
                dialect.setTime(ps, 5, now);
              });
          return jobs;
        });
  }

  private static final String CLAIM_SET =
      "status = 'leased', attempt = attempt + 1, lease_seq = lease_seq + 1, lease_expires_at = ?, updated_at = ?";
  private static final String READY =
      " FROM jobs WHERE tenant_id = ? AND queue = ? AND status = 'queued' AND run_at <= ? ORDER BY priority DESC, run_at, seq LIMIT ?";

  /**
   * PostgreSQL: claim in one statement; rows other lessees have locked are skipped. why: a CTE, not
   * {@code WHERE key IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)}, because the planner may
   * re-scan such a subquery and claim more than n rows; a MATERIALIZED CTE runs exactly once.
   */
  private List<Job> claimReturning(
      Connection c, String queue, int max, Instant now, Instant expires) throws SQLException {
    return Columns.list(
        c,
        "WITH " + claimed() + " " + claimUpdate(),
        ps -> bindClaim(ps, 1, queue, max, now, expires),
        rows::job);
  }

  /** One writer (SQLite): nobody can claim between this select and update. */
  private List<Job> claimThenUpdate(
      Connection c, String queue, int max, Instant now, Instant expires) throws SQLException {
    List<UUID> ids =
        Columns.list(
            c,
            "SELECT job_id" + READY + dialect.forUpdateSkipLocked(),
            ps -> {
              ps.setString(1, tenant());
              ps.setString(2, queue);
              dialect.setTime(ps, 3, now);
              ps.setInt(4, max);
            },
            rs -> dialect.getUuid(rs, "job_id"));
    Columns.batch(
        c,
        "UPDATE jobs SET "
            + CLAIM_SET
            + " WHERE tenant_id = ? AND job_id = ? AND status = 'queued'",
        ids,
        (ps, id) -> {
          dialect.setTime(ps, 1, expires);
          dialect.setTime(ps, 2, now);
          ps.setString(3, tenant());
          dialect.setUuid(ps, 4, id);
        });
    return rows.findAll(c, ids);
  }

  private record Expired(UUID jobId, String queue, boolean deadLettered) {}

  /**
   * Ends expired leases (of one queue, or all when null): back to the queue with attempts left,
   * else to dlq_pending when {@code exhaustedToo}. Rows another transaction holds are skipped.
   */
  private List<Expired> expire(Connection c, String queue, Instant now, boolean exhaustedToo)
      throws SQLException {
    String sql =
        "SELECT job_id, queue, lease_seq, attempt, max_attempts FROM jobs WHERE tenant_id = ?"
            + (queue == null ? "" : " AND queue = ?")
            + " AND status = 'leased' AND lease_expires_at <= ?"
            + (exhaustedToo ? "" : " AND attempt < max_attempts")
            + " LIMIT "
            + REAP_PAGE
            + dialect.forUpdateSkipLocked();
    record Row(UUID id, String queue, long token, boolean exhausted) {}
    List<Row> found =
        Columns.list(
            c,
            sql,
            ps -> {
              int i = 1;
              ps.setString(i++, tenant());
              if (queue != null) ps.setString(i++, queue);
              dialect.setTime(ps, i, now);
            },
            rs ->
                new Row(
                    dialect.getUuid(rs, "job_id"),
                    rs.getString("queue"),
                    rs.getLong("lease_seq"),
                    rs.getInt("attempt") >= rs.getInt("max_attempts")));
    List<Expired> out = new ArrayList<>();
    for (Row r : found) {
      int n =
          Columns.update(
              c,
              "UPDATE jobs SET status = ?, lease_expires_at = NULL, last_error = ?, updated_at = ? WHERE tenant_id = ? AND job_id = ? AND status = 'leased' AND lease_seq = ?",
              ps -> {
                ps.setString(1, r.exhausted() ? "dlq_pending" : "queued");
                ps.setString(2, EXPIRED);
                dialect.setTime(ps, 3, now);
                ps.setString(4, tenant());
                dialect.setUuid(ps, 5, r.id());
                ps.setLong(6, r.token());
              });
      if (n == 0) continue;
      finishAttempt(c, r.id(), r.token(), "expired", EXPIRED, now);
      out.add(new Expired(r.id(), r.queue(), r.exhausted()));
    }
    return out;
  }

  private void finishAttempt(
      Connection c, UUID jobId, long token, String outcome, String error, Instant now)
      throws SQLException {
    Columns.update(
        c,
        "UPDATE job_attempts SET outcome = ?, error = ?, finished_at = ? WHERE tenant_id = ? AND job_id = ? AND token = ? AND outcome = 'leased'",
        ps -> {
          ps.setString(1, outcome);
          Columns.setText(ps, 2, error);
          dialect.setTime(ps, 3, now);
          ps.setString(4, tenant());
          dialect.setUuid(ps, 5, jobId);
          ps.setLong(6, token);
        });
  }

  /** The job row-locked, if {@code token} is its current lease; else NOT_FOUND or LEASE_LOST. */
  private Job holding(Connection c, UUID jobId, long token) throws SQLException {
    Optional<Job> job = rows.find(c, jobId, true);
    if (job.isEmpty() || job.get().status() != Job.Status.LEASED || job.get().leaseToken() != token)
      throw notHeld(jobId, token, job);
    return job.get();
  }

  /** Why {@code token} does not hold the job: NOT_FOUND or LEASE_LOST, from its current row. */
  private static FlowstoreException notHeld(UUID jobId, long token, Optional<Job> current) {
    if (current.isEmpty())
      return new FlowstoreException(ErrorCode.NOT_FOUND, "job " + jobId + " not found");
    Job job = current.get();
    if (job.status() == Job.Status.LEASED && job.leaseToken() == token)
      return new FlowstoreException(
          ErrorCode.LEASE_LOST, "job " + jobId + ": lease lost while settling it");
    return new FlowstoreException(
        ErrorCode.LEASE_LOST,
        "job "
            + jobId
            + ": lease token "
            + token
            + " is stale (the job is "
            + job.status().wire()
            + (job.status() == Job.Status.LEASED ? " under token " + job.leaseToken() : "")
            + ")");
  }

  /**
   * Settles a job held under {@code token} in one statement: {@code UPDATE ... WHERE status =
   * 'leased' AND lease_seq = ? RETURNING ...}, the row as it now is. Only when nothing matched is
   * the job read, to tell NOT_FOUND from LEASE_LOST; then nothing was written.
   */
  private Job settle(
      Connection c, UUID jobId, long token, String set, Columns.Binder bindSet, int params)
      throws SQLException {
    Optional<Job> done =
        Columns.one(
            c,
            "UPDATE jobs SET "
                + set
                + " WHERE tenant_id = ? AND job_id = ? AND status = 'leased' AND lease_seq = ? RETURNING "
                + JobRows.COLUMNS,
            ps -> {
              bindSet.bind(ps);
              ps.setString(params + 1, tenant());
              dialect.setUuid(ps, params + 2, jobId);
              ps.setLong(params + 3, token);
            },
            rows::job);
    if (done.isPresent()) return done.get();
    throw notHeld(jobId, token, rows.find(c, jobId, false));
  }

  /** A conditional update of a job still held under {@code token}. */
  private void update(Connection c, Job job, String set, Columns.Binder bindSet, int params)
      throws SQLException {
    int n =
        Columns.update(
            c,
            "UPDATE jobs SET "
                + set
                + " WHERE tenant_id = ? AND job_id = ? AND status = 'leased' AND lease_seq = ?",
            ps -> {
              bindSet.bind(ps);
              ps.setString(params + 1, tenant());
              dialect.setUuid(ps, params + 2, job.jobId());
              ps.setLong(params + 3, job.leaseToken());
            });
    if (n != 1)
      throw new FlowstoreException(
          ErrorCode.LEASE_LOST, "job " + job.jobId() + ": lease lost while settling it");
  }

  @Override
  public Job ack(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    if (scope.ownsTransactions()) {
      // why: each ack is a commit (a WAL fsync) of its own; concurrent acks of a tenant (workers,
      // a Worker's many handlers) share one instead — each still answered only after its commit
      return scope.flowstore().acks().submit(scope.tenant(), new AckRequest(jobId, token));
    }
    return scope.write(
        c -> {
          Instant now = now();
          Job done =
              settle(
                  c,
                  jobId,
                  token,
                  ACK_SET,
                  ps -> {
                    dialect.setTime(ps, 1, now);
                    dialect.setTime(ps, 2, now);
                  },
                  2);
          finishAttempt(c, jobId, token, "succeeded", null, now);
          return done;
        });
  }

  /** One ack waiting for a group commit. */
  record AckRequest(UUID jobId, long token) {}

  private static final String ACK_SET =
      "status = 'succeeded', lease_expires_at = NULL, finished_at = ?, updated_at = ?";

  /**
   * A group commit's batch of acks, in one transaction: one conditional {@code UPDATE ...
   * RETURNING} of every job still held under its token, and of those jobs' attempts (on PostgreSQL
   * one statement with a data-modifying CTE, sent with the tenant scope in one round trip). A job
   * that is not held (or is acked twice in the batch) gets NOT_FOUND / LEASE_LOST and nothing of it
   * is written. With {@code recheck} (the first try's commit outcome is unknown) a job found
   * succeeded under the ack's own token was acked by that try: the answer is the job, not
   * LEASE_LOST (a succeeded job keeps the token it was acked with, and only its holder has it).
   */
  static Answers<Job> ackGroup(
      JdbcFlowstore fs, TenantId tenant, List<AckRequest> batch, boolean recheck) {
    Dialect d = fs.dialect();
    Instant now = fs.now();
    String pairs = String.join(", ", java.util.Collections.nCopies(batch.size(), "(?, ?)"));
    String update =
        "UPDATE jobs SET "
            + ACK_SET
            + " WHERE tenant_id = ? AND status = 'leased' AND (job_id, lease_seq) IN (VALUES "
            + pairs
            + ") RETURNING "
            + JobRows.COLUMNS;
    JobRows rows = new JobRows(d, tenant);
    JdbcFlowstore.StatementBinder bindUpdate =
        (ps, i) -> {
          d.setTime(ps, i++, now);
          d.setTime(ps, i++, now);
          ps.setString(i++, tenant.value());
          for (AckRequest r : batch) {
            d.setUuid(ps, i++, r.jobId());
            ps.setLong(i++, r.token());
          }
        };
    if (d.dataModifyingCtes()) {
      String sql =
          "WITH done AS ("
              + update
              + "), attempts AS (UPDATE job_attempts a SET outcome = 'succeeded', error = NULL, finished_at = ?"
              + " FROM done WHERE a.tenant_id = ? AND a.job_id = done.job_id AND a.token = done.lease_seq"
              + " AND a.outcome = 'leased') SELECT "
              + JobRows.COLUMNS
              + " FROM done";
      int params = 3 + 2 * batch.size();
      List<Job> settled =
          fs.writeStatement(
              tenant,
              sql,
              (ps, first) -> {
                bindUpdate.bind(ps, first);
                d.setTime(ps, first + params, now);
                ps.setString(first + params + 1, tenant.value());
              },
              rows::job);
      Answers<Job> out = settledAnswers(batch, settled);
      if (!out.allSettled()) fs.read(tenant, c -> notHeldAnswers(c, rows, batch, out, recheck));
      return out;
    }
    return fs.write(
        tenant,
        c -> {
          Answers<Job> out =
              settledAnswers(
                  batch, Columns.list(c, update, ps -> bindUpdate.bind(ps, 1), rows::job));
          List<AckRequest> done = new ArrayList<>();
          for (int i = 0; i < out.size(); i++) if (out.settled(i)) done.add(batch.get(i));
          if (!done.isEmpty()) {
            Columns.update(
                c,
                "UPDATE job_attempts SET outcome = 'succeeded', error = NULL, finished_at = ? WHERE tenant_id = ? AND outcome = 'leased' AND (job_id, token) IN (VALUES "
                    + String.join(", ", java.util.Collections.nCopies(done.size(), "(?, ?)"))
                    + ")",
                ps -> {
                  int i = 1;
                  d.setTime(ps, i++, now);
                  ps.setString(i++, tenant.value());
                  for (AckRequest r : done) {
                    d.setUuid(ps, i++, r.jobId());
                    ps.setLong(i++, r.token());
                  }
                });
          }
          return notHeldAnswers(c, rows, batch, out, recheck);
        });
  }

  /**
   * Each ack's settled job, in batch order; null where it was not settled (also the second ack of
   * one job in a batch).
   */
  // why: matched by job AND token: a batch can hold a stale ack and the holder's ack of one job,
  // and only the holder's settled it (by job alone, the stale one was told it acked)
  private static Answers<Job> settledAnswers(List<AckRequest> batch, List<Job> settled) {
    Map<AckRequest, Job> byAck = new HashMap<>();
    for (Job j : settled) byAck.put(new AckRequest(j.jobId(), j.leaseToken()), j);
    Answers<Job> out = new Answers<>(batch.size());
    for (int i = 0; i < out.size(); i++) {
      Job job = byAck.remove(batch.get(i));
      if (job != null) out.answer(i, job);
    }
    return out;
  }

  /**
   * Fills each unsettled ack's answer with why it was not held: NOT_FOUND or LEASE_LOST (or, on a
   * re-check, the job when it is found acked under this token).
   */
  private static Answers<Job> notHeldAnswers(
      Connection c, JobRows rows, List<AckRequest> batch, Answers<Job> out, boolean recheck)
      throws SQLException {
    for (int i = 0; i < out.size(); i++) {
      AckRequest r = batch.get(i);
      if (out.settled(i)) continue;
      Optional<Job> now = rows.find(c, r.jobId(), false);
      if (recheck
          && now.isPresent()
          && now.get().status() == Job.Status.SUCCEEDED
          && now.get().leaseToken() == r.token()) out.answer(i, now.get());
      else out.reject(i, notHeld(r.jobId(), r.token(), now));
    }
    return out;
  }

  @Override
  public Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    RecordValidation.required("job_id", jobId);
    String why = QueueValidation.error(error);
    QueueValidation.delay(retryDelay);
    Job after =
        scope.write(
            c -> {
              Job job = holding(c, jobId, token);
              Instant now = now();
              boolean last = job.attempt() >= job.maxAttempts();
              if (last) {
                update(
                    c,
                    job,
                    "status = 'dlq_pending', lease_expires_at = NULL, last_error = ?, updated_at = ?",
                    ps -> {
                      ps.setString(1, why);
                      dialect.setTime(ps, 2, now);
                    },
                    2);
              } else {
                Duration delay =
                    retryDelay != null
                        ? retryDelay
                        : Backoff.DEFAULT.delay(job.attempt(), ThreadLocalRandom.current());
                update(
                    c,
                    job,
                    "status = 'queued', run_at = ?, lease_expires_at = NULL, last_error = ?, updated_at = ?",
                    ps -> {
                      dialect.setTime(ps, 1, plus(now, delay));
                      ps.setString(2, why);
                      dialect.setTime(ps, 3, now);
                    },
                    3);
                if (delay.isZero()) announce(c, job.queue());
              }
              finishAttempt(c, jobId, token, "failed", why, now);
              return rows.find(c, jobId, false).orElseThrow();
            });
    return DeadLettering.afterNack(dlq, after);
  }

  @Override
  public Lease heartbeat(UUID jobId, long token, Duration extend) {
    RecordValidation.required("job_id", jobId);
    QueueValidation.positive("extend", extend);
    return scope.write(
        c -> {
          Instant now = now();
          Job extended =
              settle(
                  c,
                  jobId,
                  token,
                  "lease_expires_at = ?, updated_at = ?",
                  ps -> {
                    dialect.setTime(ps, 1, plus(now, extend));
                    dialect.setTime(ps, 2, now);
                  },
                  2);
          return new Lease(extended, token, extended.leaseExpiresAt());
        });
  }

  @Override
  public Job release(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    return scope.write(
        c -> {
          Instant now = now();
          Job released =
              settle(
                  c,
                  jobId,
                  token,
                  "status = 'queued', attempt = attempt - 1, lease_expires_at = NULL, updated_at = ?",
                  ps -> dialect.setTime(ps, 1, now),
                  1);
          finishAttempt(c, jobId, token, "released", null, now);
          announce(c, released.queue());
          return released;
        });
  }

  @Override
  public Optional<JobDetail> get(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    return scope.read(c -> rows.detail(c, jobId));
  }

  @Override
  public List<QueueStats> stats() {
    String sql =
        "SELECT queue, status, CASE WHEN status = 'queued' AND run_at > ? THEN 1 ELSE 0 END AS delayed, COUNT(*) AS n FROM jobs WHERE tenant_id = ? GROUP BY 1, 2, 3";
    record Count(String queue, String status, boolean delayed, long n) {}
    List<Count> counts =
        scope.read(
            c ->
                Columns.list(
                    c,
                    sql,
                    ps -> {
                      dialect.setTime(ps, 1, now());
                      ps.setString(2, tenant());
                    },
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
    List<Expired> ended =
        scope.write(
            c -> {
              List<Expired> e = expire(c, null, now(), true);
              Set<String> woken = new LinkedHashSet<>();
              for (Expired x : e) if (!x.deadLettered()) woken.add(x.queue());
              for (String q : woken) announce(c, q);
              return e;
            });
    for (Expired x : ended) if (x.deadLettered()) DeadLettering.finish(dlq, x.jobId());
    return ended.size();
  }

  @Override
  public int recoverDlq() {
    List<UUID> stuck =
        scope.read(
            c ->
                Columns.list(
                    c,
                    "SELECT job_id FROM jobs WHERE tenant_id = ? AND status IN ('dlq_pending', 'dlq_recorded') ORDER BY updated_at LIMIT "
                        + REAP_PAGE,
                    ps -> ps.setString(1, tenant()),
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
    QueueValidation.queue(queue);
    RecordValidation.required("timeout", timeout);
    if (timeout.isNegative())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "timeout must be >= 0");
    listen();
    QueueWakeups wakeups = scope.flowstore().wakeups();
    String key = key(queue);
    long seen = lastSeen.computeIfAbsent(key, wakeups::generation);
    boolean woken = wakeups.await(key, seen, timeout);
    lastSeen.put(key, wakeups.generation(key));
    return woken;
  }

  @Override
  public int purgeSucceeded(Instant finishedBefore, int max) {
    return JdbcRetention.purgeSucceeded(scope, finishedBefore, max);
  }
}
