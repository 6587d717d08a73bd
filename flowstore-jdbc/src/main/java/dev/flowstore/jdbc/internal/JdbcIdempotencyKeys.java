package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.internal.RecordValidation;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys in SQL. {@link #begin} inserts the key with ON CONFLICT DO NOTHING: the one
 * insert that lands owns the key (a concurrent one waits for it on the primary key and then finds
 * it); the others read the row under a lock and learn whether to replay, wait, or refuse.
 */
final class JdbcIdempotencyKeys implements IdempotencyKeys {
  private final Scope scope;
  private final Dialect dialect;

  JdbcIdempotencyKeys(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  private record Row(
      String hash,
      String status,
      Integer responseStatus,
      String body,
      Instant lockedUntil,
      Instant expiresAt) {}

  @Override
  public Outcome begin(String key, String requestHash, Duration ttl, Duration staleAfter) {
    checkKey(key);
    RecordValidation.text("request_hash", requestHash, 200, true);
    return scope.write(
        c -> {
          // why: the sweeper purges expired keys of every registered tenant
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          for (int attempt = 0; attempt < 3; attempt++) {
            if (insert(c, key, requestHash, now, staleAfter, ttl)) return new Proceed();
            Optional<Row> found =
                Columns.one(
                    c,
                    new Sql(
                        dialect,
                        "SELECT request_hash, status, response_status, response_body, locked_until, expires_at FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?"
                            + dialect.forUpdate(),
                        tenant(),
                        key),
                    rs ->
                        new Row(
                            rs.getString(1),
                            rs.getString(2),
                            (Integer) (rs.getObject(3) == null ? null : rs.getInt(3)),
                            rs.getString(4),
                            dialect.getTime(rs, "locked_until"),
                            dialect.getTime(rs, "expires_at")));
            if (found.isEmpty()) continue;
            Row row = found.get();
            if (!row.expiresAt().isAfter(now)) {
              delete(c, key, false);
              continue;
            }
            if (!row.hash().equals(requestHash)) return new Mismatch();
            if (row.status().equals("COMPLETED"))
              return new Replay(row.responseStatus(), row.body());
            if (row.lockedUntil().isAfter(now)) return new InProgress();
            // why: the process that held it died without completing or abandoning; take the key
            // over
            Columns.update(
                c,
                new Sql(
                    dialect,
                    "UPDATE idempotency_keys SET locked_until = ? WHERE tenant_id = ? AND idem_key = ?",
                    now.plus(staleAfter),
                    tenant(),
                    key));
            return new Proceed();
          }
          throw new FlowstoreException(
              ErrorCode.BACKEND_UNAVAILABLE, "idempotency key '" + key + "' is contended; retry");
        });
  }

  private boolean insert(
      Connection c, String key, String hash, Instant now, Duration staleAfter, Duration ttl)
      throws SQLException {
    return Columns.update(
            c,
            new Sql(
                dialect,
                "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, status, created_at, locked_until, expires_at) VALUES (?, ?, ?, 'IN_PROGRESS', ?, ?, ?) ON CONFLICT DO NOTHING",
                tenant(),
                key,
                hash,
                now,
                now.plus(staleAfter),
                now.plus(ttl)))
        == 1;
  }

  @Override
  public void complete(String key, int status, String body) {
    checkKey(key);
    scope.write(
        c ->
            Columns.update(
                c,
                new Sql(
                    dialect,
                    "UPDATE idempotency_keys SET status = 'COMPLETED', response_status = ?, response_body = ? WHERE tenant_id = ? AND idem_key = ? AND status = 'IN_PROGRESS'",
                    status,
                    body == null ? "" : body,
                    tenant(),
                    key)));
  }

  @Override
  public void abandon(String key) {
    checkKey(key);
    scope.write(c -> delete(c, key, true));
  }

  private int delete(Connection c, String key, boolean onlyInProgress) throws SQLException {
    return Columns.update(
        c,
        new Sql(
            dialect,
            "DELETE FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?"
                + (onlyInProgress ? " AND status = 'IN_PROGRESS'" : ""),
            tenant(),
            key));
  }

  @Override
  public int purgeExpired(Instant now) {
    return scope.write(
        c ->
            Columns.update(
                c,
                new Sql(
                    dialect,
                    "DELETE FROM idempotency_keys WHERE tenant_id = ? AND expires_at <= ?",
                    tenant(),
                    now)));
  }

  private static void checkKey(String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > MAX_KEY_LENGTH
        || key.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e)) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " printable ASCII characters");
    }
  }
}
