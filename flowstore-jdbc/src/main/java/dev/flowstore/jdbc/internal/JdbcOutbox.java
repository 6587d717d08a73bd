package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Outbox;
import dev.flowstore.OutboxMessage;
import dev.flowstore.OutboxStats;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The outbox in SQL. A claim is one UPDATE over the oldest due PENDING rows, chosen with {@code FOR
 * UPDATE SKIP LOCKED} on PostgreSQL (the single writer on SQLite): it counts an attempt and pushes
 * {@code next_attempt_at} to the end of the hold, so no other relay claims the row until the holder
 * marks it or dies.
 */
final class JdbcOutbox implements Outbox {
  private static final String COLUMNS =
      "message_id, event_id, destination, payload, headers, status, attempts, next_attempt_at, last_error, created_at, published_at";

  private final Scope scope;
  private final Dialect dialect;

  JdbcOutbox(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public OutboxMessage add(
      String destination, ObjectNode payload, ObjectNode headers, UUID eventId) {
    if (destination == null || !destination.startsWith("queue:")) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "destination must be queue:<queue name>, got "
              + (destination == null ? "null" : "'" + destination + "'"));
    }
    QueueValidation.queue(destination.substring("queue:".length()));
    int max = scope.flowstore().config().maxPayloadBytes();
    ObjectNode p = payload == null ? JsonNodeFactory.instance.objectNode() : payload.deepCopy();
    ObjectNode h = headers == null ? JsonNodeFactory.instance.objectNode() : headers.deepCopy();
    String payloadJson = RecordValidation.json("payload", p, max, true);
    String headersJson = RecordValidation.json("headers", h, 65_536, true);
    UUID id = Uuids.next();
    UUID event = eventId == null ? id : eventId;
    return scope.write(
        c -> {
          markTenant(c);
          // why: wake relays after commit (a signal for this process, NOTIFY for others)
          QueueWakeups.publishAfterCommit(scope.flowstore(), JdbcFlowstore.OUTBOX_KEY);
          Instant now = scope.flowstore().now();
          String j = dialect.jsonParam();
          Columns.update(
              c,
              new Sql(
                  dialect,
                  "INSERT INTO outbox ("
                      + dialect.seqColumns()
                      + "tenant_id, message_id, event_id, destination, payload, headers, status, attempts, next_attempt_at, created_at) VALUES ("
                      + dialect.seqValues("outbox")
                      + "?, ?, ?, ?, "
                      + j
                      + ", "
                      + j
                      + ", 'PENDING', 0, ?, ?)",
                  tenant(),
                  id,
                  event,
                  destination,
                  payloadJson,
                  headersJson,
                  now,
                  now));
          return new OutboxMessage(
              id, event, destination, p, h, OutboxMessage.Status.PENDING, 0, now, null, now, null);
        });
  }

  /**
   * Puts the tenant on the relays' round (once; a plain read first, so the hot path takes no lock).
   */
  private void markTenant(Connection c) throws SQLException {
    boolean marked =
        Columns.one(
                c,
                new Sql(dialect, "SELECT uses_outbox FROM tenants WHERE tenant_id = ?", tenant()),
                rs -> rs.getBoolean(1))
            .orElse(false);
    if (marked) return;
    Columns.update(
        c,
        new Sql(
            dialect,
            "INSERT INTO tenants (tenant_id, uses_outbox) VALUES (?, TRUE) ON CONFLICT (tenant_id) DO UPDATE SET uses_outbox = TRUE",
            tenant()));
  }

  @Override
  public Optional<OutboxMessage> get(UUID messageId) {
    RecordValidation.required("message_id", messageId);
    return scope.read(c -> find(c, messageId));
  }

  private Optional<OutboxMessage> find(Connection c, UUID messageId) throws SQLException {
    return Columns.one(
        c,
        new Sql(
            dialect,
            "SELECT " + COLUMNS + " FROM outbox WHERE tenant_id = ? AND message_id = ?",
            tenant(),
            messageId),
        this::map);
  }

  @Override
  public List<OutboxMessage> list(OutboxMessage.Status status, int limit, UUID afterMessageId) {
    RecordValidation.required("status", status);
    RecordValidation.limit(limit);
    Sql sql =
        new Sql(
            dialect,
            "SELECT " + COLUMNS + " FROM outbox WHERE tenant_id = ? AND status = ?",
            tenant(),
            status.name());
    if (afterMessageId != null)
      sql.append(
          " AND seq > (SELECT seq FROM outbox WHERE tenant_id = ? AND message_id = ?)",
          tenant(),
          afterMessageId);
    sql.append(" ORDER BY seq LIMIT ?", limit);
    return scope.read(c -> Columns.list(c, sql, this::map));
  }

  @Override
  public OutboxStats stats() {
    Sql sql =
        new Sql(
            dialect,
            "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE tenant_id = ? AND status IN ('PENDING', 'FAILED') GROUP BY status",
            tenant());
    record Row(String status, long n, Instant oldest) {}
    List<Row> rows =
        scope.read(
            c ->
                Columns.list(
                    c,
                    sql,
                    rs ->
                        new Row(
                            rs.getString("status"),
                            rs.getLong("n"),
                            Columns.getTime(dialect, rs, "oldest"))));
    long pending = 0;
    long failed = 0;
    Instant oldest = null;
    for (Row r : rows) {
      if (r.status().equals("PENDING")) {
        pending = r.n();
        oldest = r.oldest();
      } else failed = r.n();
    }
    return new OutboxStats(pending, failed, oldest);
  }

  @Override
  public List<OutboxMessage> claim(int max, Duration hold) {
    if (max < 1 || max > MAX_CLAIM)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "max must be between 1 and " + MAX_CLAIM);
    if (hold == null || hold.isNegative() || hold.isZero())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "hold must be positive");
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          // why: a MATERIALIZED CTE runs the locking select exactly once; "IN (SELECT ... LIMIT n
          // FOR UPDATE SKIP LOCKED)" may be re-scanned by PostgreSQL and claim more than n rows
          Sql sql =
              new Sql(
                      dialect,
                      "WITH claimed AS MATERIALIZED (SELECT message_id AS claimed_id FROM outbox WHERE tenant_id = ?"
                          + " AND status = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?",
                      tenant(),
                      now,
                      max)
                  .append(
                      dialect.forUpdateSkipLocked()
                          + ") UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? FROM claimed"
                          + " WHERE outbox.tenant_id = ? AND outbox.message_id = claimed.claimed_id RETURNING "
                          + COLUMNS
                          + ", seq",
                      now.plus(hold),
                      tenant());
          List<Claimed> claimed =
              Columns.list(c, sql, rs -> new Claimed(rs.getLong("seq"), map(rs)));
          // why: RETURNING gives no order; hand the batch out oldest first
          return claimed.stream()
              .sorted(java.util.Comparator.comparingLong(Claimed::seq))
              .map(Claimed::message)
              .toList();
        });
  }

  private record Claimed(long seq, OutboxMessage message) {}

  @Override
  public boolean markPublished(UUID messageId) {
    RecordValidation.required("message_id", messageId);
    return scope.write(
        c ->
            Columns.update(
                    c,
                    new Sql(
                        dialect,
                        "UPDATE outbox SET status = 'PUBLISHED', published_at = ?, last_error = NULL WHERE tenant_id = ? AND message_id = ? AND status = 'PENDING'",
                        scope.flowstore().now(),
                        tenant(),
                        messageId))
                == 1);
  }

  @Override
  public boolean markFailed(UUID messageId, String error, Duration retryAfter) {
    RecordValidation.required("message_id", messageId);
    String why =
        error == null ? "unknown error" : error.length() > 2000 ? error.substring(0, 2000) : error;
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          String status = retryAfter == null ? "FAILED" : "PENDING";
          return Columns.update(
                  c,
                  new Sql(
                      dialect,
                      "UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE tenant_id = ? AND message_id = ? AND status = 'PENDING'",
                      status,
                      why.replace('\u0000', ' '),
                      retryAfter == null ? now : now.plus(retryAfter),
                      tenant(),
                      messageId))
              == 1;
        });
  }

  @Override
  public OutboxMessage replay(UUID messageId) {
    RecordValidation.required("message_id", messageId);
    return scope.write(
        c -> {
          int n =
              Columns.update(
                  c,
                  new Sql(
                      dialect,
                      "UPDATE outbox SET status = 'PENDING', next_attempt_at = ? WHERE tenant_id = ? AND message_id = ? AND status = 'FAILED'",
                      scope.flowstore().now(),
                      tenant(),
                      messageId));
          OutboxMessage m =
              find(c, messageId)
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.NOT_FOUND, "outbox message " + messageId + " not found"));
          if (n == 0)
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "outbox message "
                    + messageId
                    + " is "
                    + m.status().name().toLowerCase(java.util.Locale.ROOT)
                    + ", only failed messages can be replayed");
          return m;
        });
  }

  @Override
  public int purgePublished(Instant publishedBefore, int max) {
    return JdbcRetention.purgePublished(scope, publishedBefore, max);
  }

  private OutboxMessage map(ResultSet rs) throws SQLException {
    return new OutboxMessage(
        dialect.getUuid(rs, "message_id"),
        dialect.getUuid(rs, "event_id"),
        rs.getString("destination"),
        Columns.getJson(rs, "payload"),
        Columns.getJson(rs, "headers"),
        OutboxMessage.Status.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        dialect.getTime(rs, "next_attempt_at"),
        rs.getString("last_error"),
        dialect.getTime(rs, "created_at"),
        Columns.getTime(dialect, rs, "published_at"));
  }
}
