package dev.flowstore.jdbc.internal;

import dev.flowstore.AppendResult;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.EventValidation.Prepared;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.RecordValidation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The event store in SQL, shared by every dialect.
 *
 * <p>Ordering: an append locks its tenant's row in {@code event_feed_heads} for the rest of its
 * transaction and takes the next positions from it. Positions are therefore handed out in commit
 * order and without gaps, so a feed reader that has seen position p has seen every event below p,
 * and an event can never commit "behind" a reader. The price: appends of one tenant are serialized
 * (appends of different tenants are not); keep transactions that append short.
 *
 * <p>This class is the store's face and its reads; the appends under the feed lock (one in a
 * caller's transaction, or a group commit's batch) are {@link EventAppends}.
 */
final class JdbcEventStore implements EventStore {
  static final String COLUMNS =
      "event_id, stream_id, version, position, type, payload, metadata, created_at";

  private final Scope scope;
  private final Dialect dialect;

  JdbcEventStore(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
    if (expected == null)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "expected_version is required");
    List<Prepared> prepared =
        EventValidation.prepare(stream, events, scope.flowstore().config().maxPayloadBytes());
    if (scope.ownsTransactions()) {
      // why: concurrent appends of one tenant are serial anyway (the feed lock); committing them
      // together turns N commits (N fsyncs) into one
      return scope
          .flowstore()
          .appends()
          .submit(scope.tenant(), new EventAppends.Request(stream, expected, prepared));
    }
    return scope.write(
        c -> new EventAppends(scope).appendInTransaction(c, stream, expected, prepared));
  }

  /**
   * Takes the tenant's feed lock for the rest of the transaction ({@link FeedHead#lock}): a write
   * that will append takes it first.
   */
  void lockFeed(Connection c) throws SQLException {
    FeedHead.lock(c, scope);
  }

  @Override
  public List<RecordedEvent> readStream(
      String stream, long fromVersion, int limit, Direction direction) {
    Ids.stream(stream);
    EventValidation.limit(limit);
    if (fromVersion < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "from_version must be >= 0, got " + fromVersion);
    boolean forward = direction != Direction.BACKWARD;
    return read(
        new Sql(
            dialect,
            "SELECT "
                + COLUMNS
                + " FROM events WHERE tenant_id = ? AND stream_id = ? AND version "
                + (forward ? ">=" : "<=")
                + " ? ORDER BY version "
                + (forward ? "ASC" : "DESC")
                + " LIMIT ?",
            tenant(),
            stream,
            fromVersion,
            limit));
  }

  @Override
  public long streamVersion(String stream) {
    Ids.stream(stream);
    return scope.read(c -> new EventAppends(scope).streamVersion(c, stream));
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int limit, String category) {
    EventValidation.limit(limit);
    if (afterPosition < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "after must be >= 0, got " + afterPosition);
    if (category != null) Ids.stream(category);
    Sql sql =
        new Sql(
            dialect,
            "SELECT " + COLUMNS + " FROM events WHERE tenant_id = ? AND position > ?",
            tenant(),
            afterPosition);
    if (category != null) sql.append(" AND category = ?", category);
    return read(sql.append(" ORDER BY position ASC LIMIT ?", limit));
  }

  @Override
  public List<RecordedEvent> awaitAll(
      long afterPosition, int limit, String category, Duration timeout)
      throws InterruptedException {
    RecordValidation.required("timeout", timeout);
    if (timeout.isNegative())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "timeout must be >= 0");
    if (!scope.ownsTransactions())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "awaitAll does not wait inside a transaction (it would hold the transaction's connection):"
              + " call it on flowstore.events(tenant), or readAll here");
    return scope
        .flowstore()
        .feedWaits()
        .await(tenant(), () -> readAll(afterPosition, limit, category), timeout);
  }

  /**
   * A read of events: outside a caller's transaction one scoped statement (one round trip on
   * PostgreSQL), inside it on the caller's connection.
   */
  private List<RecordedEvent> read(Sql sql) {
    if (scope.ownsTransactions())
      return scope.flowstore().readStatement(scope.tenant(), sql, this::map);
    return scope.read(c -> Columns.list(c, sql, this::map));
  }

  private RecordedEvent map(ResultSet rs) throws SQLException {
    return event(dialect, rs);
  }

  /** The event of a row of {@link #COLUMNS}. */
  static RecordedEvent event(Dialect dialect, ResultSet rs) throws SQLException {
    return new RecordedEvent(
        dialect.getUuid(rs, "event_id"),
        rs.getString("stream_id"),
        rs.getLong("version"),
        rs.getLong("position"),
        rs.getString("type"),
        Json.stored("stored payload", rs.getString("payload")),
        Json.stored("stored metadata", rs.getString("metadata")),
        dialect.getTime(rs, "created_at"));
  }
}
