package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The queue's statements that differ between databases, each owned whole by a dialect ({@link
 * Dialect#queueSql}), so the queue's code holds no database branch (the shape of db-scheduler's
 * {@code JdbcCustomization}: a capability and the statement it allows come together). PostgreSQL
 * claims with {@code FOR UPDATE SKIP LOCKED} and folds attempt rows into the same statement as
 * data-modifying CTEs, so a lease or a group of acks is one statement sent with the tenant scope in
 * one round trip; SQLite has a single writer, so it selects then updates inside its write
 * transaction and writes attempt rows with statements of their own.
 */
interface QueueSql {
  /**
   * {@code select} (naming the columns) over the ready jobs of the claim's queue, in lease order,
   * at most as many as it asks for. why: every dialect's claim starts from it (PostgreSQL's inside
   * its locking CTE, SQLite's as a plain select), so the lease order and its values are written
   * once.
   */
  static Sql ready(String select, JobRows rows, Claim claim) {
    return new Sql(
        rows.dialect(),
        select
            + " FROM jobs WHERE tenant_id = ? AND queue = ? AND status = 'queued' AND run_at <= ? ORDER BY priority DESC, run_at, seq LIMIT ?",
        rows.tenant().value(),
        claim.queue(),
        claim.now(),
        claim.max());
  }

  /** What a claim sets on each job; binds the lease's expiry and now. */
  String CLAIM_SET =
      "status = 'leased', attempt = attempt + 1, lease_seq = lease_seq + 1, lease_expires_at = ?, updated_at = ?";

  /** What a claim asks for: up to {@code max} ready jobs of {@code queue}, leased until then. */
  record Claim(String queue, int max, Instant now, Instant expires) {}

  /**
   * Claims up to {@code claim.max()} ready jobs inside the open write transaction, each under a new
   * token (its {@code lease_seq} + 1), and returns them as they now are, in any order; the caller
   * opens their attempt rows. Concurrent claimers must never get the same job.
   */
  List<Job> claim(Connection c, JobRows rows, Claim claim) throws SQLException;

  /**
   * Whether {@link #leaseInOneStatement} can run here (db-scheduler's {@code
   * supportsSingleStatementLockAndFetch}).
   */
  boolean leasesInOneStatement();

  /**
   * A whole lease as one statement and a transaction of its own: the claim and its attempt rows,
   * with the tenant scope, in one round trip ({@link JdbcFlowstore#writeStatement}). Runs only
   * where {@link #leasesInOneStatement}, outside a caller's transaction.
   */
  List<Job> leaseInOneStatement(JdbcFlowstore fs, JobRows rows, Claim claim);

  /** Settles a group commit's batch of acks in one transaction of its own ({@link AckGroup}). */
  Answers<Job> ack(JdbcFlowstore fs, AckGroup group);
}
