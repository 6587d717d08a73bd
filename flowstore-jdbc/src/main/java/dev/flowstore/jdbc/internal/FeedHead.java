package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
  private final String tenant;
  private final long stored;
  private long last;

  private FeedHead(String tenant, long last, long stored) {
    this.tenant = tenant;
    this.last = last;
    this.stored = stored;
  }

  /**
   * Locks the tenant's feed head until commit (creating it, and registering the tenant, the first
   * time). Every write that appends takes it first, so writers of one tenant always lock in the
   * same order.
   */
  static FeedHead lock(Connection c, Scope scope) throws SQLException {
    String tenant = scope.tenant().value();
    String select =
        "SELECT last_position FROM event_feed_heads WHERE tenant_id = ?"
            + scope.flowstore().dialect().forUpdate();
    for (int attempt = 0; attempt < 2; attempt++) {
      try (PreparedStatement ps = c.prepareStatement(select)) {
        ps.setString(1, tenant);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long head = rs.getLong(1);
            return new FeedHead(tenant, head, head);
          }
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO event_feed_heads (tenant_id, last_position) VALUES (?, 0) ON CONFLICT (tenant_id) DO NOTHING")) {
        ps.setString(1, tenant);
        ps.executeUpdate();
      }
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
    return new FeedHead(scope.tenant().value(), last, stored);
  }

  /** Hands out the {@code n} positions after the last; returns the last one before them. */
  long take(int n) {
    long before = last;
    last += n;
    return before;
  }

  /** Writes the last position handed out to the row, if the row does not hold it already. */
  void writeBack(Connection c) throws SQLException {
    if (last == stored) return;
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE event_feed_heads SET last_position = ? WHERE tenant_id = ?")) {
      ps.setLong(1, last);
      ps.setString(2, tenant);
      ps.executeUpdate();
    }
  }
}
