package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.NewJob;
import dev.flowstore.Recorded;
import dev.flowstore.internal.QueueValidation.ValidJob;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Enqueue: a JDBC batch of inserts with {@code ON CONFLICT DO NOTHING} (the partial unique index on
 * active unique keys), then one read of the inserted rows and one of the active holders of the keys
 * that conflicted, in one transaction. See docs/queue.md "Enqueue SQL".
 */
final class JobInserts {
  private static final int ATTEMPTS = 5;

  private final Scope scope;
  private final Dialect dialect;
  private final JobRows rows;

  JobInserts(Scope scope, JobRows rows) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = rows;
  }

  private String insertSql() {
    return "INSERT INTO jobs ("
        + dialect.seqColumns()
        + "tenant_id, job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, created_at, updated_at) VALUES ("
        + dialect.seqValues("jobs")
        + "?, ?, ?, ?, ?, ?, ?, "
        + dialect.jsonParam()
        + ", ?, ?, 0, ?, ?, 'queued', 0, ?, ?) ON CONFLICT DO NOTHING";
  }

  /**
   * One JDBC batch of inserts (in order, so seq follows the list), one read of the inserted rows
   * and one read of the active holders of the unique keys that conflicted. A row that conflicted
   * but whose key holder is gone by then (or a job_id collision) takes the one-by-one retry path.
   */
  List<Recorded<Job>> insertAll(List<ValidJob> jobs) {
    String sql = insertSql();
    return scope.write(
        c -> {
          // why: the sweeper reaps expired leases and finishes DLQ moves of every registered tenant
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          int n = jobs.size();
          List<UUID> ids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) ids.add(Uuids.next());
          List<Integer> order = new ArrayList<>(n);
          for (int i = 0; i < n; i++) order.add(i);
          int[] counts =
              Columns.batch(c, sql, order, (ps, i) -> bindInsert(ps, jobs.get(i), ids.get(i), now));
          List<UUID> insertedIds = new ArrayList<>(n);
          Set<JobRows.QueueKey> conflicted = new LinkedHashSet<>();
          for (int i = 0; i < n; i++) {
            if (counts[i] != 0) insertedIds.add(ids.get(i));
            else if (jobs.get(i).job().uniqueKey() != null)
              conflicted.add(
                  new JobRows.QueueKey(jobs.get(i).job().queue(), jobs.get(i).job().uniqueKey()));
          }
          Map<UUID, Job> inserted = new HashMap<>();
          for (Job j : rows.findAll(c, insertedIds)) inserted.put(j.jobId(), j);
          Map<String, Job> holders = new HashMap<>();
          for (Job j : rows.activeByKeys(c, new ArrayList<>(conflicted)))
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
          for (String q : woken) QueueWakeups.announce(scope, q);
          return out;
        });
  }

  private void bindInsert(PreparedStatement ps, ValidJob v, UUID id, Instant now)
      throws SQLException {
    NewJob j = v.job();
    Instant runAt = j.runAt() == null ? now : j.runAt().truncatedTo(ChronoUnit.MICROS);
    ps.setString(1, scope.tenant().value());
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
}
