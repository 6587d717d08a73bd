package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.NewJob;
import dev.flowstore.Recorded;
import dev.flowstore.internal.Json;
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
    return insertSql(dialect.seqColumns(), dialect.seqValues("jobs"));
  }

  /**
   * The insert with {@code seqColumns} first, whose values are {@code seqValues}: the dialect's
   * (SQLite: rowid and seq read by the statement), or {@code "?, ?, "} for a batch that numbers its
   * rows itself ({@link #insertAll}).
   */
  private String insertSql(String seqColumns, String seqValues) {
    return "INSERT INTO jobs ("
        + seqColumns
        + "tenant_id, job_id, message_id, event_id, trace_id, queue, job_type, payload, priority, run_at, attempt, max_attempts, unique_key, status, lease_seq, created_at, updated_at) VALUES ("
        + seqValues
        + "?, ?, ?, ?, ?, ?, ?, "
        + dialect.jsonParam()
        + ", ?, ?, 0, ?, ?, 'queued', 0, ?, ?) ON CONFLICT DO NOTHING";
  }

  /**
   * One JDBC batch of inserts (in order, so seq follows the list), the inserted rows, and one read
   * of the active holders of the unique keys that conflicted. A row that conflicted but whose key
   * holder is gone by then (or a job_id collision) takes the one-by-one retry path. The inserted
   * rows: on PostgreSQL one read (seq is an identity, known once inserted); on SQLite, where the
   * batch numbers its rows itself (rowid = seq = the largest rowid + 1 + its index, what SQLite and
   * the seq trigger would give; the writer holds the one write lock), each job is built from the
   * values it was inserted with ({@link #inserted}), without reading it back.
   */
  List<Recorded<Job>> insertAll(List<ValidJob> jobs) {
    String sql = insertSql();
    boolean numbered = !dialect.seqColumns().isEmpty();
    return scope.write(
        c -> {
          // why: the sweeper reaps expired leases and finishes DLQ moves of every registered tenant
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          int n = jobs.size();
          List<UUID> ids = new ArrayList<>(n);
          List<UUID> messages = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            ids.add(Uuids.next());
            messages.add(Uuids.next());
          }
          List<Integer> order = new ArrayList<>(n);
          for (int i = 0; i < n; i++) order.add(i);
          long base =
              numbered
                  ? Columns.one(
                          c,
                          new Sql(dialect, "SELECT coalesce(max(rowid), 0) FROM jobs"),
                          rs -> rs.getLong(1))
                      .orElse(0L)
                  : 0;
          int[] counts =
              numbered
                  ? Columns.batch(
                      c,
                      insertSql(dialect.seqColumns(), "?, ?, "),
                      order,
                      (ps, i) -> {
                        ps.setLong(1, base + 1 + i);
                        ps.setLong(2, base + 1 + i);
                        bindInsert(ps, 3, jobs.get(i), ids.get(i), messages.get(i), now);
                      })
                  : Columns.batch(
                      c,
                      sql,
                      order,
                      (ps, i) -> bindInsert(ps, 1, jobs.get(i), ids.get(i), messages.get(i), now));
          List<UUID> insertedIds = new ArrayList<>(n);
          Map<UUID, Job> inserted = new HashMap<>();
          Set<JobRows.QueueKey> conflicted = new LinkedHashSet<>();
          for (int i = 0; i < n; i++) {
            if (counts[i] != 0) {
              if (numbered)
                inserted.put(
                    ids.get(i),
                    inserted(jobs.get(i), ids.get(i), messages.get(i), base + 1 + i, now));
              else insertedIds.add(ids.get(i));
            } else if (jobs.get(i).job().uniqueKey() != null)
              conflicted.add(
                  new JobRows.QueueKey(jobs.get(i).job().queue(), jobs.get(i).job().uniqueKey()));
          }
          if (!numbered) for (Job j : rows.findAll(c, insertedIds)) inserted.put(j.jobId(), j);
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

  /**
   * The job as the batch inserted it: every column is a bound value or the insert's constant, and
   * SQLite stores them as given (times in microseconds, as {@code now} and {@link #runAt} are; the
   * payload's text, parsed as a read parses it). SqliteSeqTest holds it to the stored row.
   */
  private Job inserted(ValidJob v, UUID id, UUID message, long seq, Instant now) {
    ObjectNode payload = Json.stored("stored payload", v.payloadJson());
    return v.enqueued(id, message, scope.tenant(), payload, runAt(v.job(), now), seq, now);
  }

  private static Instant runAt(NewJob j, Instant now) {
    return j.runAt() == null ? now : j.runAt().truncatedTo(ChronoUnit.MICROS);
  }

  /** Binds the job's columns from parameter {@code at} on. */
  private void bindInsert(
      PreparedStatement ps, int at, ValidJob v, UUID id, UUID message, Instant now)
      throws SQLException {
    NewJob j = v.job();
    ps.setString(at, scope.tenant().value());
    dialect.setUuid(ps, at + 1, id);
    dialect.setUuid(ps, at + 2, message);
    Columns.setUuid(dialect, ps, at + 3, j.eventId());
    Columns.setText(ps, at + 4, j.traceId());
    ps.setString(at + 5, j.queue());
    ps.setString(at + 6, j.jobType());
    ps.setString(at + 7, v.payloadJson());
    ps.setInt(at + 8, j.priority());
    dialect.setTime(ps, at + 9, runAt(j, now));
    ps.setInt(at + 10, j.maxAttempts());
    Columns.setText(ps, at + 11, j.uniqueKey());
    dialect.setTime(ps, at + 12, now);
    dialect.setTime(ps, at + 13, now);
  }

  /** One job, one row at a time with retries: the fallback of {@link #insertAll}. */
  private Recorded<Job> insert(Connection c, String sql, ValidJob v, Instant now)
      throws SQLException {
    NewJob j = v.job();
    for (int i = 0; i < ATTEMPTS; i++) {
      UUID id = Uuids.next();
      int inserted = Columns.update(c, sql, ps -> bindInsert(ps, 1, v, id, Uuids.next(), now));
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
