package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.flowstore.internal.Json;
import dev.flowstore.internal.JsonSchemas;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Sessions in SQL: the change path here, the reads in {@link SessionReads}, the state machine in
 * {@link SessionRules}. Each change: take the tenant's feed lock (the same lock every append takes
 * first, so lock order is always feed-then-row and two writers cannot deadlock), check the expected
 * version, update the row, append the event that records the change at stream version = session
 * version.
 */
final class JdbcSessions implements Sessions {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Scope scope;
  private final Dialect dialect;
  private final SessionReads reads;

  JdbcSessions(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.reads = new SessionReads(scope);
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
          Optional<Session> existing = reads.get(c, id);
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
            Sql.text(s.flowId()),
            s.flowVersion(),
            s.status().name(),
            Sql.text(s.currentState()),
            Sql.text(s.stage()),
            Json.write(s.state()),
            Json.write(s.params()),
            Json.write(s.metadata()),
            Sql.text(s.scheduleId()),
            s.parentSessionId(),
            s.createdAt(),
            s.updatedAt(),
            s.ttlSeconds(),
            s.expiresAt()));
    scope.flowstore().plugins().sessionWritten(scope.tenant(), s.sessionId());
  }

  /** The session's committed version: the session cache's probe ({@link JdbcStores#sessions}). */
  OptionalLong version(UUID sessionId) {
    return reads.version(sessionId);
  }

  @Override
  public Optional<Session> get(UUID sessionId) {
    return reads.get(sessionId);
  }

  @Override
  public Session getAsOf(UUID sessionId, long version) {
    return reads.getAsOf(sessionId, version);
  }

  @Override
  public Page list(SessionStatus status, String flowId, int limit, String cursor) {
    return reads.list(status, flowId, limit, cursor);
  }

  @Override
  public List<RecordedEvent> history(UUID sessionId, long fromVersion, int limit) {
    return reads.history(sessionId, fromVersion, limit);
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
        reads
            .get(c, id)
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
            // why: typed even when null, so pgjdbc keeps the statement prepared (Sql.text)
            Sql.text(next.currentState()),
            Sql.text(next.stage()),
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
  public int expireDue(Instant now, int max) {
    if (max < 1) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "max must be >= 1");
    return scope.write(
        c -> {
          List<UUID> due = reads.due(c, now, max);
          Instant at = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
          for (UUID id : due) {
            Session cur = reads.get(c, id).orElseThrow();
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
}
