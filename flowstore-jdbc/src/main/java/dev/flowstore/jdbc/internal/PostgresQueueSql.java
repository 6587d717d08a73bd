package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
  // why: a CTE, not WHERE key IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED): the planner may
  // re-scan such a subquery and claim more than n rows (our first version did: a worker asking for
  // 1 job got 3); a MATERIALIZED CTE runs exactly once
  private static final String CLAIMED =
      "claimed AS MATERIALIZED (SELECT job_id AS claimed_id" + READY + " FOR UPDATE SKIP LOCKED)";
  private static final String CLAIM_UPDATE =
      "UPDATE jobs SET "
          + CLAIM_SET
          + " FROM claimed WHERE tenant_id = ? AND job_id = claimed_id RETURNING "
          + JobRows.COLUMNS;
  private static final String CLAIM = "WITH " + CLAIMED + " " + CLAIM_UPDATE;
  private static final String LEASE =
      "WITH "
          + CLAIMED
          + ", leased AS ("
          + CLAIM_UPDATE
          + "), attempts AS (INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at)"
          + " SELECT ?, job_id, lease_seq, attempt, 'leased', ? FROM leased) SELECT "
          + JobRows.COLUMNS
          + " FROM leased";

  private final Dialect dialect;

  PostgresQueueSql(Dialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public List<Job> claim(Connection c, JobRows rows, Claim claim) throws SQLException {
    return Columns.list(c, CLAIM, ps -> bindClaim(ps, 1, rows, claim), rows::job);
  }

  @Override
  public boolean leasesInOneStatement() {
    return true;
  }

  @Override
  public List<Job> leaseInOneStatement(JdbcFlowstore fs, JobRows rows, Claim claim) {
    return fs.writeStatement(
        rows.tenant(),
        LEASE,
        (ps, i) -> {
          i = bindClaim(ps, i, rows, claim);
          ps.setString(i++, rows.tenant().value());
          dialect.setTime(ps, i, claim.now());
        },
        rows::job);
  }

  /** Binds {@link #CLAIMED} and {@link #CLAIM_UPDATE} from {@code i} on; the next free index. */
  private int bindClaim(PreparedStatement ps, int i, JobRows rows, Claim claim)
      throws SQLException {
    ps.setString(i++, rows.tenant().value());
    ps.setString(i++, claim.queue());
    dialect.setTime(ps, i++, claim.now());
    ps.setInt(i++, claim.max());
    dialect.setTime(ps, i++, claim.expires());
    dialect.setTime(ps, i++, claim.now());
    ps.setString(i++, rows.tenant().value());
    return i;
  }

  /**
   * The update and the attempts as one statement in one round trip; only when an ack was not
   * settled is a second one sent, to read why.
   */
  @Override
  public Answers<Job> ack(JdbcFlowstore fs, AckGroup group) {
    String sql =
        "WITH done AS ("
            + group.update()
            + "), attempts AS (UPDATE job_attempts a SET outcome = 'succeeded', error = NULL, finished_at = ?"
            + " FROM done WHERE a.tenant_id = ? AND a.job_id = done.job_id AND a.token = done.lease_seq"
            + " AND a.outcome = 'leased') SELECT "
            + JobRows.COLUMNS
            + " FROM done";
    List<Job> settled =
        fs.writeStatement(
            group.tenant(),
            sql,
            (ps, first) -> group.bindNowAndTenant(ps, group.bindUpdate(ps, first)),
            group.rows()::job);
    Answers<Job> out = group.answers(settled);
    if (!out.allSettled()) fs.read(group.tenant(), c -> group.explainUnsettled(c, out));
    return out;
  }
}
