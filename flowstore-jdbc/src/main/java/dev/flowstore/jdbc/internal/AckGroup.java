package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.internal.JdbcQueue.AckRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A group commit's batch of acks ({@link GroupCommit}), settled in one transaction by the dialect's
 * {@link QueueSql#ack}: one conditional {@link #update} of every job still held under its token,
 * and of those jobs' attempts. A job that is not held (or is acked twice in the batch) gets
 * NOT_FOUND / LEASE_LOST and nothing of it is written. With {@code recheck} (the first try's commit
 * outcome is unknown) a job found succeeded under the ack's own token was acked by that try: the
 * answer is the job, not LEASE_LOST (a succeeded job keeps the token it was acked with, and only
 * its holder has it).
 */
final class AckGroup {
  /** What an ack sets on its job; binds now twice. */
  static final String ACK_SET =
      "status = 'succeeded', lease_expires_at = NULL, finished_at = ?, updated_at = ?";

  private final JobRows rows;
  private final List<AckRequest> batch;
  private final Instant now;
  private final boolean recheck;

  AckGroup(JobRows rows, List<AckRequest> batch, Instant now, boolean recheck) {
    this.rows = rows;
    this.batch = batch;
    this.now = now;
    this.recheck = recheck;
  }

  JobRows rows() {
    return rows;
  }

  TenantId tenant() {
    return rows.tenant();
  }

  Instant now() {
    return now;
  }

  /**
   * The conditional update of every job of the batch still held under its token, returning each as
   * it now is.
   */
  Sql update() {
    Sql sql =
        new Sql(
            rows.dialect(),
            "UPDATE jobs SET " + ACK_SET + " WHERE tenant_id = ? AND status = 'leased' AND ",
            now,
            now,
            tenant().value());
    return held(sql, "lease_seq", batch).append(" RETURNING " + JobRows.COLUMNS);
  }

  /**
   * Appends {@code job_id IN (...) AND (job_id, <tokenColumn>) IN (VALUES ...)}: each ack's job
   * under its token.
   *
   * <p>why the plain {@code job_id IN} as well: SQLite's planner does not probe an index with a
   * row-value list, and answers {@code tenant_id = ? AND (job_id, token) IN (VALUES ...)} with a
   * range over every row of the tenant (every attempt the tenant ever made, for job_attempts); the
   * {@code job_id} list is a primary-key probe per job on both databases. {@code
   * SqliteQueryPlansTest} holds both statements to it.
   */
  static Sql held(Sql sql, String tokenColumn, List<AckRequest> acks) {
    sql.append("job_id IN (")
        .appendList(", ", acks.stream().map(AckRequest::jobId).toList())
        .append(") AND (job_id, " + tokenColumn + ") IN (VALUES ");
    for (int i = 0; i < acks.size(); i++) {
      AckRequest r = acks.get(i);
      sql.append(i == 0 ? "(?, ?)" : ", (?, ?)", r.jobId(), r.token());
    }
    return sql.append(")");
  }

  /**
   * Each ack's settled job, in batch order; open where it was not settled (also the second ack of
   * one job in a batch).
   */
  // why: matched by job AND token: a batch can hold a stale ack and the holder's ack of one job,
  // and only the holder's settled it (by job alone, the stale one was told it acked)
  Answers<Job> answers(List<Job> settled) {
    Map<AckRequest, Job> byAck = new HashMap<>();
    for (Job j : settled) byAck.put(new AckRequest(j.jobId(), j.leaseToken()), j);
    Answers<Job> out = new Answers<>(batch.size());
    for (int i = 0; i < out.size(); i++) {
      Job job = byAck.remove(batch.get(i));
      if (job != null) out.answer(i, job);
    }
    return out;
  }

  /** The acks {@code out} has settled, in batch order. */
  List<AckRequest> settled(Answers<Job> out) {
    List<AckRequest> done = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) if (out.settled(i)) done.add(batch.get(i));
    return done;
  }

  /**
   * Fills each open answer with why its ack was not held: NOT_FOUND or LEASE_LOST (or, on a
   * re-check, the job when it is found acked under this token).
   */
  Answers<Job> explainUnsettled(Connection c, Answers<Job> out) throws SQLException {
    for (int i = 0; i < out.size(); i++) {
      AckRequest r = batch.get(i);
      if (out.settled(i)) continue;
      Optional<Job> now = rows.find(c, r.jobId(), false);
      if (recheck
          && now.isPresent()
          && now.get().status() == Job.Status.SUCCEEDED
          && now.get().leaseToken() == r.token()) out.answer(i, now.get());
      else out.reject(i, JobSettles.notHeld(r.jobId(), r.token(), now));
    }
    return out;
  }
}
