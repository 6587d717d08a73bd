package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A tenant's row in {@code event_feed_heads}, locked by one transaction: the positions that
 * transaction hands out to its appends. It holds the last position handed out and the one the row
 * holds; the row is written back once, at the end, and only if they differ.
 *
 * <p>Why a lock: positions handed out in commit order and without gaps, so a feed reader that has
 * seen position p has seen every event below p (docs/architecture.md "Why positions come from a
 * locked feed head").
 */
final class FeedHead {
  private final Scope scope;
  private final long stored;
  private long last;

  private FeedHead(Scope scope, long last, long stored) {
    this.scope = scope;
    this.last = last;
    this.stored = stored;
  }

  /**
   * Locks the tenant's feed head until commit (creating it, and registering the tenant, the first
   * time). Every write that appends takes it first, so writers of one tenant always lock in the
   * same order.
   */
  static FeedHead lock(Connection c, Scope scope) throws SQLException {
    Dialect dialect = scope.flowstore().dialect();
    String tenant = scope.tenant().value();
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Long> head =
          Columns.one(
              c,
              new Sql(
                  dialect,
                  "SELECT last_position FROM event_feed_heads WHERE tenant_id = ?"
                      + dialect.forUpdate(),
                  tenant),
              rs -> rs.getLong(1));
      if (head.isPresent()) return new FeedHead(scope, head.get(), head.get());
      Columns.update(
          c,
          new Sql(
              dialect,
              "INSERT INTO event_feed_heads (tenant_id, last_position) VALUES (?, 0) ON CONFLICT (tenant_id) DO NOTHING",
              tenant));
      scope.flowstore().registerTenant(c, scope.tenant());
    }
    throw new FlowstoreException(
        ErrorCode.INTERNAL, "cannot create the feed head of tenant " + tenant);
  }

  /**
   * A head the transaction has locked by advancing the row to {@code stored} already, handing out
   * positions from {@code last} on.
   */
  static FeedHead advanced(Scope scope, long last, long stored) {
    return new FeedHead(scope, last, stored);
  }

  /** Hands out the {@code n} positions after the last; returns the last one before them. */
  long take(int n) {
    long before = last;
    last += n;
    return before;
  }

  /** Writes the last position handed out to the row, if the row does not hold it already. */
  void writeBack(Connection c) throws SQLException {
    Sql sql = writeBackSql();
    if (sql != null) Columns.update(c, sql);
  }

  /** The statement of {@link #writeBack}, or null when the row holds the last position already. */
  Sql writeBackSql() {
    if (last == stored) return null;
    return new Sql(
        scope.flowstore().dialect(),
        "UPDATE event_feed_heads SET last_position = ? WHERE tenant_id = ?",
        last,
        scope.tenant().value());
  }
}
