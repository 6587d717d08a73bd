package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leases, their expiry and waiting for work. A lease first returns its queue's expired leases with
 * attempts left to the queue, at most once a second per queue and process ({@link
 * JdbcFlowstore#reapDue}); the other leases of that second skip the scan, so where the dialect can
 * ({@link QueueSql#leasesInOneStatement}) a lease outside a caller's transaction is one statement.
 * The claim itself is the dialect's ({@link QueueSql#claim}). Every lease bumps the job's {@code
 * lease_seq}, the fencing token, and opens an attempt row for it.
 */
final class JobLeases {
  /** How many rows one reap or DLQ recovery handles at most. */
  static final int PAGE = 1000;

  private static final String EXPIRED = "lease expired";
  private static final Comparator<Job> LEASE_ORDER =
      Comparator.comparingInt(Job::priority)
          .reversed()
          .thenComparing(Job::runAt)
          .thenComparingLong(Job::seq);

  private final Scope scope;
  private final Dialect dialect;
  private final JobRows rows;
  private final DeadLettering.Moves dlq;
  // why: the wake-up generation each queue had when this instance last polled or waited, so a
  // signal between an empty lease and awaitWork is not lost
  private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

  JobLeases(Scope scope, JobRows rows, DeadLettering.Moves dlq) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = rows;
    this.dlq = dlq;
  }

  private String tenant() {
    return scope.tenant().value();
  }

  private String key(String queue) {
    return QueueWakeups.key(tenant(), queue);
  }

  List<Lease> lease(String queue, int max, Duration visibility) {
    QueueValidation.queue(queue);
    QueueValidation.max(max);
    QueueValidation.positive("visibility", visibility);
    String key = key(queue);
    JdbcFlowstore fs = scope.flowstore();
    fs.wakeups().ensureListening();
    lastSeen.put(key, fs.wakeups().generation(key));
    QueueSql sql = dialect.queueSql();
    Instant at = fs.now();
    List<Job> leased;
    if (scope.ownsTransactions() && sql.leasesInOneStatement() && !fs.reapDue(key, at)) {
      leased =
          sql.leaseInOneStatement(
              fs, rows, new QueueSql.Claim(queue, max, at, JobRows.plus(at, visibility)));
    } else {
      leased = reapAndClaim(queue, max, visibility);
      fs.reaped(key, at);
    }
    return leased.stream()
        .sorted(LEASE_ORDER)
        .map(j -> new Lease(j, j.leaseToken(), j.leaseExpiresAt()))
        .toList();
  }

  /** Ends this queue's expired leases, claims, and opens the attempts, in one transaction. */
  private List<Job> reapAndClaim(String queue, int max, Duration visibility) {
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          expire(c, queue, now, false);
          List<Job> jobs =
              dialect
                  .queueSql()
                  .claim(
                      c, rows, new QueueSql.Claim(queue, max, now, JobRows.plus(now, visibility)));
          rows.recordLeases(c, jobs, now);
          return jobs;
        });
  }

  /** {@link dev.flowstore.Queue#releaseExpired}. */
  int releaseExpired() {
    List<Expired> ended =
        scope.write(
            c -> {
              List<Expired> e = expire(c, null, scope.flowstore().now(), true);
              Set<String> woken = new LinkedHashSet<>();
              for (Expired x : e) if (!x.deadLettered()) woken.add(x.queue());
              for (String q : woken) QueueWakeups.announce(scope, q);
              return e;
            });
    for (Expired x : ended) if (x.deadLettered()) DeadLettering.finish(dlq, x.jobId());
    return ended.size();
  }

  private record Expired(UUID jobId, String queue, boolean deadLettered) {}

  /**
   * Ends expired leases (of one queue, or all when null): back to the queue with attempts left,
   * else to dlq_pending when {@code exhaustedToo}. Rows another transaction holds are skipped.
   */
  private List<Expired> expire(Connection c, String queue, Instant now, boolean exhaustedToo)
      throws SQLException {
    Sql sql =
        new Sql(
            dialect,
            "SELECT job_id, queue, lease_seq, attempt, max_attempts FROM jobs WHERE tenant_id = ?",
            tenant());
    if (queue != null) sql.append(" AND queue = ?", queue);
    sql.append(" AND status = 'leased' AND lease_expires_at <= ?", now)
        .append(
            (exhaustedToo ? "" : " AND attempt < max_attempts")
                + " LIMIT "
                + PAGE
                + dialect.forUpdateSkipLocked());
    record Row(UUID id, String queue, long token, boolean exhausted) {}
    List<Row> found =
        Columns.list(
            c,
            sql,
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
              new Sql(
                  dialect,
                  "UPDATE jobs SET status = ?, lease_expires_at = NULL, last_error = ?, updated_at = ? WHERE tenant_id = ? AND job_id = ? AND status = 'leased' AND lease_seq = ?",
                  r.exhausted() ? "dlq_pending" : "queued",
                  EXPIRED,
                  now,
                  tenant(),
                  r.id(),
                  r.token()));
      if (n == 0) continue;
      rows.finishAttempt(c, r.id(), r.token(), "expired", EXPIRED, now);
      out.add(new Expired(r.id(), r.queue(), r.exhausted()));
    }
    scope.flowstore().leasesExpired(out.size());
    return out;
  }

  /** {@link dev.flowstore.Queue#awaitWork}. */
  boolean awaitWork(String queue, Duration timeout) throws InterruptedException {
    QueueValidation.queue(queue);
    RecordValidation.required("timeout", timeout);
    if (timeout.isNegative())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "timeout must be >= 0");
    QueueWakeups wakeups = scope.flowstore().wakeups();
    wakeups.ensureListening();
    String key = key(queue);
    long seen = lastSeen.computeIfAbsent(key, wakeups::generation);
    boolean woken = wakeups.await(key, seen, timeout);
    lastSeen.put(key, wakeups.generation(key));
    return woken;
  }
}
