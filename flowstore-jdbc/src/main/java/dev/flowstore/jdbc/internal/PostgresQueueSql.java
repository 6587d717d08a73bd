package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * PostgreSQL's queue statements: a claim is one {@code UPDATE ... RETURNING} over the rows a {@code
 * FOR UPDATE SKIP LOCKED} select locked, so concurrent lessees skip each other's rows instead of
 * waiting; attempt rows join the same statement as data-modifying CTEs, so a lease outside a
 * caller's transaction, and a group of acks, is one statement sent with the tenant scope in one
 * round trip.
 */
final class PostgresQueueSql implements QueueSql {
  private static final String CLAIM_UPDATE =
      "UPDATE jobs SET "
          + CLAIM_SET
          + " FROM claimed WHERE tenant_id = ? AND job_id = claimed_id RETURNING "
          + JobRows.COLUMNS;

  private final Dialect dialect;

  PostgresQueueSql(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * The claim: the ready jobs locked (skipping rows another claimer holds), then {@code between}
   * and the update that leases them, returning each as it now is.
   */
  // why: a CTE, not WHERE key IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED): the planner may
  // re-scan such a subquery and claim more than n rows (our first version did: a worker asking for
  // 1 job got 3); a MATERIALIZED CTE runs exactly once
  private static Sql claim(JobRows rows, Claim claim, String between) {
    return QueueSql.ready("WITH claimed AS MATERIALIZED (SELECT job_id AS claimed_id", rows, claim)
        .append(
            " FOR UPDATE SKIP LOCKED)" + between + CLAIM_UPDATE,
            claim.expires(),
            claim.now(),
            rows.tenant().value());
  }

  @Override
  public List<Job> claim(Connection c, JobRows rows, Claim claim) throws SQLException {
    return Columns.list(c, claim(rows, claim, " "), rows::job);
  }

  @Override
  public boolean leasesInOneStatement() {
    return true;
  }

  @Override
  public List<Job> leaseInOneStatement(JdbcFlowstore fs, JobRows rows, Claim claim) {
    Sql lease =
        claim(rows, claim, ", leased AS (")
            .append(
                "), attempts AS (INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at)"
                    + " SELECT ?, job_id, lease_seq, attempt, 'leased', ? FROM leased) SELECT "
                    + JobRows.COLUMNS
                    + " FROM leased",
                rows.tenant().value(),
                claim.now());
    return fs.writeStatement(rows.tenant(), lease, rows::job);
  }

  /**
   * The update and the attempts as one statement in one round trip; only when an ack was not
   * settled is a second one sent, to read why.
   */
  @Override
  public Answers<Job> ack(JdbcFlowstore fs, AckGroup group) {
    Sql sql =
        new Sql(dialect, "WITH done AS (")
            .append(group.update())
            .append(
                "), attempts AS (UPDATE job_attempts a SET outcome = 'succeeded', error = NULL, finished_at = ?"
                    + " FROM done WHERE a.tenant_id = ? AND a.job_id = done.job_id AND a.token = done.lease_seq"
                    + " AND a.outcome = 'leased') SELECT "
                    + JobRows.COLUMNS
                    + " FROM done",
                group.now(),
                group.tenant().value());
    List<Job> settled = fs.writeStatement(group.tenant(), sql, group.rows()::job);
    Answers<Job> out = group.answers(settled);
    if (!out.allSettled()) fs.read(group.tenant(), c -> group.explainUnsettled(c, out));
    return out;
  }
}
