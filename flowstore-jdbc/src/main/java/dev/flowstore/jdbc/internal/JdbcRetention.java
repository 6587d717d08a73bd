package dev.flowstore.jdbc.internal;

import dev.flowstore.internal.QueueValidation;
import java.time.Instant;

/**
 * Retention in SQL: one batched {@code DELETE} of a tenant's finished rows, oldest first. The
 * victims are chosen by a {@code MATERIALIZED} CTE over a partial index (V8: {@code
 * jobs_succeeded_ix}, {@code outbox_published_ix}), so a purge is an index range scan whatever the
 * table's size, and the CTE runs exactly once (a plain {@code IN (SELECT ... LIMIT n)} may be
 * re-scanned by PostgreSQL and delete more than {@code n}). {@code FOR UPDATE SKIP LOCKED} lets
 * several sweepers (one per server process) purge side by side without waiting on each other. A
 * job's attempts (and, never the case for a succeeded job, a DLQ item) go with it by {@code ON
 * DELETE CASCADE}; SQLite enforces foreign keys (SqliteProvider turns them on).
 */
final class JdbcRetention {
  private JdbcRetention() {}

  /** {@link dev.flowstore.Queue#purgeSucceeded}. */
  static int purgeSucceeded(Scope scope, Instant finishedBefore, int max) {
    QueueValidation.purge("finished_before", finishedBefore, max);
    return purge(scope, "jobs", "job_id", "succeeded", "finished_at", finishedBefore, max);
  }

  /** {@link dev.flowstore.Outbox#purgePublished}. */
  static int purgePublished(Scope scope, Instant publishedBefore, int max) {
    QueueValidation.purge("published_before", publishedBefore, max);
    return purge(scope, "outbox", "message_id", "PUBLISHED", "published_at", publishedBefore, max);
  }

  private static int purge(
      Scope scope,
      String table,
      String key,
      String status,
      String finishedColumn,
      Instant before,
      int max) {
    Dialect dialect = scope.flowstore().dialect();
    String tenant = scope.tenant().value();
    // why: the status is a literal, not a parameter, so the planner can match the partial index
    String sql =
        "WITH doomed AS MATERIALIZED (SELECT "
            + key
            + " AS doomed_id FROM "
            + table
            + " WHERE tenant_id = ? AND status = '"
            + status
            + "' AND "
            + finishedColumn
            + " < ? ORDER BY "
            + finishedColumn
            + " LIMIT ?"
            + dialect.forUpdateSkipLocked()
            + ") DELETE FROM "
            + table
            + " WHERE tenant_id = ? AND "
            + key
            + " IN (SELECT doomed_id FROM doomed)";
    return scope.write(c -> Columns.update(c, new Sql(dialect, sql, tenant, before, max, tenant)));
  }
}
