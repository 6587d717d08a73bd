package dev.flowstore.jdbc.internal;

import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.Sessions.Page;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The reads of one tenant's sessions: the row, its version (the session cache's probe), a page of
 * the list, a past version folded from the session's stream, the stream itself, and the sessions
 * due to expire. why a class of its own: {@link JdbcSessions} is the change path, and it reads the
 * row it is about to change with {@link #get(Connection, UUID)} inside its own transaction, after
 * the feed lock; the reads need neither that lock nor anything else of the change path.
 */
final class SessionReads {
  private static final String COLUMNS =
      "session_id, flow_id, flow_version, status, current_state, stage, session_state, params, metadata, schedule_id, parent_session_id, version, created_at, updated_at, completed_at, ttl_seconds, expires_at";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<Session> rows;

  SessionReads(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "sessions", COLUMNS, this::map);
  }

  /** The committed version: one primary-key lookup of one column (the cache probes every read). */
  OptionalLong version(UUID sessionId) {
    Objects.requireNonNull(sessionId, "session_id");
    Sql sql =
        rows.sql(
            "SELECT version FROM sessions WHERE tenant_id = ? AND session_id = ?",
            rows.tenant(),
            sessionId);
    Optional<Long> version = scope.read(c -> Columns.one(c, sql, rs -> rs.getLong(1)));
    return version.map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  Optional<Session> get(UUID sessionId) {
    Objects.requireNonNull(sessionId, "session_id");
    return scope.read(c -> get(c, sessionId));
  }

  /** The row as the transaction on {@code c} sees it. */
  Optional<Session> get(Connection c, UUID id) throws SQLException {
    return rows.one(c, rows.select().append(" AND session_id = ?", id));
  }

  Session getAsOf(UUID sessionId, long version) {
    if (version < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "as_of_version must be >= 0, got " + version);
    return scope.read(
        c -> {
          JdbcEventStore events = new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c));
          List<RecordedEvent> history = new ArrayList<>();
          long next = 0;
          while (next <= version) {
            List<RecordedEvent> page =
                events.readStream(
                    Sessions.streamOf(sessionId),
                    next,
                    (int) Math.min(1000, version - next + 1),
                    Direction.FORWARD);
            history.addAll(page);
            if (page.isEmpty()) break;
            next = page.get(page.size() - 1).version() + 1;
          }
          if (history.isEmpty() || history.get(history.size() - 1).version() != version) {
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND, "session " + sessionId + " has no version " + version);
          }
          return SessionRules.replay(sessionId, history);
        });
  }

  Page list(SessionStatus status, String flowId, int limit, String cursor) {
    EventValidation.limit(limit);
    if (flowId != null) Ids.stream(flowId);
    SessionRules.Cursor after =
        cursor == null || cursor.isEmpty() ? null : SessionRules.Cursor.decode(cursor);
    Sql sql = rows.select();
    if (status != null) sql.append(" AND status = ?", status.name());
    if (flowId != null) sql.append(" AND flow_id = ?", flowId);
    if (after != null)
      sql.append(
          " AND (created_at < ? OR (created_at = ? AND session_id < ?))",
          after.createdAt(),
          after.createdAt(),
          after.sessionId());
    sql.append(" ORDER BY created_at DESC, session_id DESC LIMIT ?", limit + 1);
    List<Session> out = scope.read(c -> rows.list(c, sql));
    String next = null;
    if (out.size() > limit) {
      out = out.subList(0, limit);
      Session last = out.get(limit - 1);
      next = new SessionRules.Cursor(last.createdAt(), last.sessionId()).encode();
    }
    return new Page(List.copyOf(out), next);
  }

  List<RecordedEvent> history(UUID sessionId, long fromVersion, int limit) {
    return scope.read(
        c -> {
          if (get(c, sessionId).isEmpty())
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND, "session " + sessionId + " not found");
          return new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c))
              .readStream(Sessions.streamOf(sessionId), fromVersion, limit, Direction.FORWARD);
        });
  }

  /** The active sessions whose TTL ran out by {@code now}, soonest first, {@code max} at most. */
  List<UUID> due(Connection c, Instant now, int max) throws SQLException {
    return Columns.list(
        c,
        rows.sql(
            "SELECT session_id FROM sessions WHERE tenant_id = ? AND status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            rows.tenant(),
            now,
            max),
        rs -> dialect.getUuid(rs, "session_id"));
  }

  private Session map(ResultSet rs) throws SQLException {
    String parent = rs.getString("parent_session_id");
    Integer flowVersion = rs.getObject("flow_version") == null ? null : rs.getInt("flow_version");
    Integer ttl = rs.getObject("ttl_seconds") == null ? null : rs.getInt("ttl_seconds");
    return new Session(
        dialect.getUuid(rs, "session_id"),
        rs.getString("flow_id"),
        flowVersion,
        SessionStatus.valueOf(rs.getString("status")),
        rs.getString("current_state"),
        rs.getString("stage"),
        Json.stored("stored state", rs.getString("session_state")),
        Json.stored("stored params", rs.getString("params")),
        Json.stored("stored metadata", rs.getString("metadata")),
        rs.getString("schedule_id"),
        parent == null ? null : UUID.fromString(parent),
        rs.getLong("version"),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"),
        rs.getObject("completed_at") == null ? null : dialect.getTime(rs, "completed_at"),
        ttl,
        rs.getObject("expires_at") == null ? null : dialect.getTime(rs, "expires_at"));
  }
}
