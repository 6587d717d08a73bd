package dev.flowstore.jdbc.internal;

import dev.flowstore.Job;
import dev.flowstore.jdbc.internal.JdbcQueue.AckRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * SQLite's queue statements: every write transaction is {@code BEGIN IMMEDIATE} on the single
 * writer connection, so nobody can claim between a select of ready jobs and their update, and
 * attempt rows are statements of their own in the same transaction (no data-modifying CTEs).
 */
final class SqliteQueueSql implements QueueSql {
  private static final String CLAIM_UPDATE =
      "UPDATE jobs SET " + CLAIM_SET + " WHERE tenant_id = ? AND job_id = ? AND status = 'queued'";

  private final Dialect dialect;

  SqliteQueueSql(Dialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public List<Job> claim(Connection c, JobRows rows, Claim claim) throws SQLException {
    String tenant = rows.tenant().value();
    List<UUID> ids =
        Columns.list(
            c, QueueSql.ready("SELECT job_id", rows, claim), rs -> dialect.getUuid(rs, "job_id"));
    Columns.batch(
        c,
        CLAIM_UPDATE,
        ids,
        (ps, id) -> {
          dialect.setTime(ps, 1, claim.expires());
          dialect.setTime(ps, 2, claim.now());
          ps.setString(3, tenant);
          dialect.setUuid(ps, 4, id);
        });
    return rows.findAll(c, ids);
  }

  @Override
  public boolean leasesInOneStatement() {
    return false;
  }

  @Override
  public List<Job> leaseInOneStatement(JdbcFlowstore fs, JobRows rows, Claim claim) {
    throw new UnsupportedOperationException("SQLite leases in a transaction of several statements");
  }

  /** The update, then the attempts of the acks it settled, in one write transaction. */
  @Override
  public Answers<Job> ack(JdbcFlowstore fs, AckGroup group) {
    return fs.write(
        group.tenant(),
        c -> {
          Answers<Job> out = group.answers(Columns.list(c, group.update(), group.rows()::job));
          List<AckRequest> done = group.settled(out);
          if (!done.isEmpty()) {
            Columns.update(c, attemptsSucceeded(group, done));
          }
          return group.explainUnsettled(c, out);
        });
  }

  /** The attempts of the acks that settled their job, marked succeeded. */
  Sql attemptsSucceeded(AckGroup group, List<AckRequest> done) {
    Sql attempts =
        new Sql(
            dialect,
            "UPDATE job_attempts SET outcome = 'succeeded', error = NULL, finished_at = ? WHERE tenant_id = ? AND outcome = 'leased' AND ",
            group.now(),
            group.tenant().value());
    return AckGroup.held(attempts, "token", done);
  }
}
