package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flow;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.NewSession;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.JsonSchemas;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * Sessions in SQL. Each change: take the tenant's feed lock (the same lock every append takes
 * first, so lock order is always feed-then-row and two writers cannot deadlock), check the expected
 * version, update the row, append the event that records the change at stream version = session
 * version.
 */
final class JdbcSessions implements Sessions {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String COLUMNS =
      "session_id, flow_id, flow_version, status, current_state, stage, session_state, params, metadata, schedule_id, parent_session_id, version, created_at, updated_at, completed_at, ttl_seconds, expires_at";

  private final Scope scope;
  private final Dialect dialect;

  JdbcSessions(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public Session create(NewSession r) {
    Objects.requireNonNull(r, "request");
    if (r.flowId() != null) Ids.stream(r.flowId());
    String initial =
        SessionRules.stateName(
            "initial_state", r.initialState() == null ? "start" : r.initialState());
    String stage = r.stage() == null ? null : SessionRules.stateName("stage", r.stage());
    if (r.scheduleId() != null) SessionRules.stateName("schedule_id", r.scheduleId());
    if (r.ttlSeconds() != null && r.ttlSeconds() <= 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "ttl_seconds must be > 0, got " + r.ttlSeconds());
    int max = scope.flowstore().config().maxPayloadBytes();
    ObjectNode state = SessionRules.object("state", r.state(), max);
    ObjectNode params = SessionRules.object("params", r.params(), max);
    ObjectNode metadata = SessionRules.object("metadata", r.metadata(), max);
    UUID id = r.sessionId() == null ? Uuids.next() : r.sessionId();
    return scope.write(
        c -> {
          Integer flowVersion = r.flowVersion();
          if (r.flowId() != null) {
            Flow flow =
                new JdbcFlows(scope.flowstore().joined(scope.tenant(), c))
                    .get(c, r.flowId(), r.flowVersion())
                    .orElseThrow(
                        () ->
                            new FlowstoreException(
                                ErrorCode.NOT_FOUND,
                                "flow '"
                                    + r.flowId()
                                    + "'"
                                    + (r.flowVersion() == null ? "" : " version " + r.flowVersion())
                                    + " not found: register it first (POST /v1/flows)"));
            JsonSchemas.validate("params", flow.paramSchema(), params);
            flowVersion = flow.version();
          }
          JdbcEventStore events = new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c));
          events.lockFeed(c);
          Optional<Session> existing = get(c, id);
          if (existing.isPresent()) {
            Session s = existing.get();
            if (Objects.equals(s.flowId(), r.flowId()) && s.params().equals(params)) return s;
            throw new FlowstoreException(
                ErrorCode.VERSION_CONFLICT,
                "session " + id + " already exists with other flow or params");
          }
          Instant now = scope.flowstore().now();
          Instant expires = r.ttlSeconds() == null ? null : now.plusSeconds(r.ttlSeconds());
          Session s =
              new Session(
                  id,
                  r.flowId(),
                  flowVersion,
                  SessionStatus.ACTIVE,
                  initial,
                  stage,
                  state,
                  params,
                  metadata,
                  r.scheduleId(),
                  r.parentSessionId(),
                  0,
                  now,
                  now,
                  null,
                  r.ttlSeconds(),
                  expires);
          insert(c, s);
          ObjectNode payload = JSON.objectNode().set("session", SessionRules.snapshot(s));
          events.append(
              Sessions.streamOf(id),
              ExpectedVersion.NO_STREAM,
              List.of(
                  new EventData(
                      null,
                      "session.created",
                      payload,
                      transitionMetadata(null, initial, metadata.path("trace_id").textValue()),
                      now)));
          return s;
        });
  }

  private void insert(Connection c, Session s) throws SQLException {
    String j = dialect.jsonParam();
    String sql =
        "INSERT INTO sessions (tenant_id, session_id, flow_id, flow_version, status, current_state, stage, session_state, params, metadata, schedule_id, parent_session_id, version, created_at, updated_at, ttl_seconds, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, "
            + j
            + ", "
            + j
            + ", "
            + j
            + ", ?, ?, 0, ?, ?, ?, ?)";
    Columns.update(
        c,
        new Sql(
            dialect,
            sql,
            tenant(),
            s.sessionId(),
            s.flowId(),
            s.flowVersion(),
            s.status().name(),
            s.currentState(),
            s.stage(),
            Json.write(s.state()),
            Json.write(s.params()),
            Json.write(s.metadata()),
            s.scheduleId(),
            s.parentSessionId(),
            s.createdAt(),
            s.updatedAt(),
            s.ttlSeconds(),
            s.expiresAt()));
    scope.flowstore().plugins().sessionWritten(scope.tenant(), s.sessionId());
  }

  /**
   * The session's committed version (the session cache's probe): one primary-key lookup of one
   * column.
   */
  OptionalLong version(UUID sessionId) {
    Objects.requireNonNull(sessionId, "session_id");
    return scope.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT version FROM sessions WHERE tenant_id = ? AND session_id = ?")) {
            ps.setString(1, tenant());
            dialect.setUuid(ps, 2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
          }
        });
  }

  @Override
  public Optional<Session> get(UUID sessionId) {
    Objects.requireNonNull(sessionId, "session_id");
    return scope.read(c -> get(c, sessionId));
  }

  private Optional<Session> get(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM sessions WHERE tenant_id = ? AND session_id = ?")) {
      ps.setString(1, tenant());
      dialect.setUuid(ps, 2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public Session getAsOf(UUID sessionId, long version) {
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

  @Override
  public Page list(SessionStatus status, String flowId, int limit, String cursor) {
    EventValidation.limit(limit);
    if (flowId != null) Ids.stream(flowId);
    SessionRules.Cursor after =
        cursor == null || cursor.isEmpty() ? null : SessionRules.Cursor.decode(cursor);
    StringBuilder sql =
        new StringBuilder("SELECT " + COLUMNS + " FROM sessions WHERE tenant_id = ?");
    if (status != null) sql.append(" AND status = ?");
    if (flowId != null) sql.append(" AND flow_id = ?");
    if (after != null) sql.append(" AND (created_at < ? OR (created_at = ? AND session_id < ?))");
    sql.append(" ORDER BY created_at DESC, session_id DESC LIMIT ?");
    return scope.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, tenant());
            if (status != null) ps.setString(i++, status.name());
            if (flowId != null) ps.setString(i++, flowId);
            if (after != null) {
              dialect.setTime(ps, i++, after.createdAt());
              dialect.setTime(ps, i++, after.createdAt());
              dialect.setUuid(ps, i++, after.sessionId());
            }
            ps.setInt(i, limit + 1);
            List<Session> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) out.add(map(rs));
            }
            String next = null;
            if (out.size() > limit) {
              out = out.subList(0, limit);
              Session last = out.get(limit - 1);
              next = new SessionRules.Cursor(last.createdAt(), last.sessionId()).encode();
            }
            return new Page(List.copyOf(out), next);
          }
        });
  }

  @Override
  public Session change(UUID sessionId, long expectedVersion, SessionChange change) {
    Objects.requireNonNull(sessionId, "session_id");
    Objects.requireNonNull(change, "change");
    SessionRules.check(change, scope.flowstore().config().maxPayloadBytes());
    if (change.status() == SessionStatus.ACTIVE || change.status() == SessionStatus.EXPIRED) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "status may only be set to completed, failed or abandoned");
    }
    return scope.write(c -> apply(c, sessionId, expectedVersion, change, scope.flowstore().now()));
  }

  private Session apply(Connection c, UUID id, long expected, SessionChange change, Instant now)
      throws SQLException {
    JdbcEventStore events = new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c));
    events.lockFeed(c);
    Session cur =
        get(c, id)
            .orElseThrow(
                () -> new FlowstoreException(ErrorCode.NOT_FOUND, "session " + id + " not found"));
    if (cur.version() != expected) {
      throw new FlowstoreException(
          ErrorCode.VERSION_CONFLICT,
          "session " + id + " is at version " + cur.version() + ", expected " + expected);
    }
    if (cur.status().isFinal()) {
      throw new FlowstoreException(
          ErrorCode.UNPROCESSABLE,
          "session "
              + id
              + " is "
              + cur.status().name().toLowerCase(java.util.Locale.ROOT)
              + " and accepts no more changes");
    }
    Session next = SessionRules.apply(cur, change, now);
    String sql =
        "UPDATE sessions SET status = ?, current_state = ?, stage = ?, session_state = "
            + dialect.jsonParam()
            + ", version = ?, updated_at = ?, completed_at = ?, expires_at = ? WHERE tenant_id = ? AND session_id = ? AND version = ?";
    Sql update =
        new Sql(
            dialect,
            sql,
            next.status().name(),
            next.currentState(),
            next.stage(),
            Json.write(next.state()),
            next.version(),
            now,
            next.completedAt(),
            next.expiresAt(),
            tenant(),
            id,
            expected);
    if (Columns.update(c, update) != 1)
      throw new FlowstoreException(
          ErrorCode.VERSION_CONFLICT, "session " + id + " changed concurrently");
    scope.flowstore().plugins().sessionWritten(scope.tenant(), id);
    String type =
        next.status() == SessionStatus.ACTIVE
            ? "session.changed"
            : "session." + next.status().name().toLowerCase(java.util.Locale.ROOT);
    ObjectNode payload = JSON.objectNode();
    payload.set("changes", SessionRules.changes(cur, next));
    payload.set("payload", change.payload() == null ? JSON.objectNode() : change.payload());
    events.append(
        Sessions.streamOf(id),
        ExpectedVersion.exact(expected),
        List.of(
            new EventData(
                null,
                type,
                payload,
                transitionMetadata(cur.currentState(), next.currentState(), change.traceId()),
                now)));
    return next;
  }

  @Override
  public List<RecordedEvent> history(UUID sessionId, long fromVersion, int limit) {
    return scope.read(
        c -> {
          if (get(c, sessionId).isEmpty())
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND, "session " + sessionId + " not found");
          return new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c))
              .readStream(Sessions.streamOf(sessionId), fromVersion, limit, Direction.FORWARD);
        });
  }

  @Override
  public int expireDue(Instant now, int max) {
    if (max < 1) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "max must be >= 1");
    return scope.write(
        c -> {
          List<UUID> due = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT session_id FROM sessions WHERE tenant_id = ? AND status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?")) {
            ps.setString(1, tenant());
            dialect.setTime(ps, 2, now);
            ps.setInt(3, max);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) due.add(dialect.getUuid(rs, "session_id"));
            }
          }
          Instant at = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
          for (UUID id : due) {
            Session cur = get(c, id).orElseThrow();
            apply(
                c,
                id,
                cur.version(),
                new SessionChange(null, SessionStatus.EXPIRED, null, null, null),
                at);
          }
          return due.size();
        });
  }

  private static ObjectNode transitionMetadata(String from, String to, String traceId) {
    ObjectNode m = JSON.objectNode();
    if (from == null) m.putNull("from_state");
    else m.put("from_state", from);
    m.put("to_state", to);
    if (traceId != null) m.put("trace_id", traceId);
    m.put("source", "flowstore.sessions");
    return m;
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
