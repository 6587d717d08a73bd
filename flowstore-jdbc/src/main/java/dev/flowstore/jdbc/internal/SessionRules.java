package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The session state machine and its event encoding, free of SQL: how a change applies, what its
 * event records, and how replaying a stream rebuilds a session. {@code session.created} carries the
 * whole session; every later event carries the fields it changed; folding them in order gives any
 * version.
 */
final class SessionRules {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SessionRules() {}

  static String stateName(String what, String value) {
    if (value == null
        || value.isBlank()
        || value.length() > 200
        || value.chars().anyMatch(Character::isISOControl)) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, what + ": must be 1-200 printable characters");
    }
    return value;
  }

  static ObjectNode object(String what, ObjectNode value, int maxBytes) {
    ObjectNode v = value == null ? JSON.objectNode() : value.deepCopy();
    Json.rejectNul(what, v);
    int size = Json.write(v).getBytes(StandardCharsets.UTF_8).length;
    if (size > maxBytes)
      throw new FlowstoreException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          what
              + ": "
              + size
              + " bytes, the limit is "
              + maxBytes
              + " (FLOWSTORE_MAX_PAYLOAD_BYTES)");
    return v;
  }

  static void check(SessionChange change, int maxBytes) {
    if (change.toState() != null) stateName("to_state", change.toState());
    if (change.stage() != null) stateName("stage", change.stage());
    if (change.state() != null) object("state", change.state(), maxBytes);
    if (change.payload() != null) object("payload", change.payload(), maxBytes);
  }

  static Session apply(Session cur, SessionChange ch, Instant now) {
    SessionStatus status = ch.status() == null ? cur.status() : ch.status();
    Instant expires =
        status.isFinal() || cur.ttlSeconds() == null ? null : now.plusSeconds(cur.ttlSeconds());
    return new Session(
        cur.sessionId(),
        cur.flowId(),
        cur.flowVersion(),
        status,
        ch.toState() == null ? cur.currentState() : ch.toState(),
        ch.stage() == null ? cur.stage() : ch.stage(),
        ch.state() == null ? cur.state() : ch.state().deepCopy(),
        cur.params(),
        cur.metadata(),
        cur.scheduleId(),
        cur.parentSessionId(),
        cur.version() + 1,
        cur.createdAt(),
        now,
        status.isFinal() ? now : null,
        cur.ttlSeconds(),
        expires);
  }

  /**
   * The whole session as the payload of {@code session.created}: the fields a session starts with;
   * its id, version and times come from the event itself. why not the Redis cache's or the API's
   * JSON of a session, which spell the same fields alike: this one is stored history that {@link
   * #replay} must read as long as the stream exists, so it never changes, while those change with a
   * cache format number or the API.
   */
  static ObjectNode snapshot(Session s) {
    ObjectNode o = JSON.objectNode();
    o.put("flow_id", s.flowId());
    if (s.flowVersion() == null) o.putNull("flow_version");
    else o.put("flow_version", s.flowVersion());
    o.put("status", s.status().name());
    o.put("current_state", s.currentState());
    o.put("stage", s.stage());
    o.set("state", s.state());
    o.set("params", s.params());
    o.set("metadata", s.metadata());
    o.put("schedule_id", s.scheduleId());
    o.put("parent_session_id", s.parentSessionId() == null ? null : s.parentSessionId().toString());
    if (s.ttlSeconds() == null) o.putNull("ttl_seconds");
    else o.put("ttl_seconds", s.ttlSeconds());
    return o;
  }

  /** The fields that differ between two versions. */
  static ObjectNode changes(Session before, Session after) {
    ObjectNode o = JSON.objectNode();
    if (before.status() != after.status()) o.put("status", after.status().name());
    if (!Objects.equals(before.currentState(), after.currentState()))
      o.put("current_state", after.currentState());
    if (!Objects.equals(before.stage(), after.stage())) o.put("stage", after.stage());
    if (!before.state().equals(after.state())) o.set("state", after.state());
    return o;
  }

  /** Folds a session's events, oldest first from version 0, into the session as of the last one. */
  static Session replay(UUID id, List<RecordedEvent> events) {
    RecordedEvent first = events.get(0);
    JsonNode s = first.payload().path("session");
    if (first.version() != 0 || !s.isObject())
      // why: a client can append to a stream named like a session's through the event API;
      // without session.created at version 0 it is no session
      throw new FlowstoreException(
          ErrorCode.NOT_FOUND,
          "session "
              + id
              + " not found: stream "
              + Sessions.streamOf(id)
              + " does not start with session.created");
    Integer ttl = s.path("ttl_seconds").isNumber() ? s.get("ttl_seconds").asInt() : null;
    Session cur =
        new Session(
            id,
            text(s, "flow_id"),
            s.path("flow_version").isNumber() ? s.get("flow_version").asInt() : null,
            SessionStatus.valueOf(s.path("status").asText()),
            text(s, "current_state"),
            text(s, "stage"),
            (ObjectNode) s.get("state"),
            (ObjectNode) s.get("params"),
            (ObjectNode) s.get("metadata"),
            text(s, "schedule_id"),
            text(s, "parent_session_id") == null
                ? null
                : UUID.fromString(text(s, "parent_session_id")),
            0,
            first.createdAt(),
            first.createdAt(),
            null,
            ttl,
            ttl == null ? null : first.createdAt().plusSeconds(ttl));
    for (RecordedEvent e : events.subList(1, events.size())) {
      JsonNode ch = e.payload().path("changes");
      SessionChange change =
          new SessionChange(
              text(ch, "current_state"),
              ch.has("status") ? SessionStatus.valueOf(ch.get("status").asText()) : null,
              text(ch, "stage"),
              ch.has("state") ? (ObjectNode) ch.get("state") : null,
              null);
      cur = apply(cur, change, e.createdAt());
      if (cur.version() != e.version())
        throw new FlowstoreException(
            ErrorCode.INTERNAL, "stream of session " + id + " has a gap at version " + e.version());
    }
    return cur;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** A keyset cursor over (created_at DESC, session_id DESC), opaque to clients. */
  record Cursor(Instant createdAt, UUID sessionId) {
    String encode() {
      String raw = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt) + ":" + sessionId;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int colon = raw.indexOf(':');
        return new Cursor(
            Instant.EPOCH.plus(Long.parseLong(raw.substring(0, colon)), ChronoUnit.MICROS),
            UUID.fromString(raw.substring(colon + 1)));
      } catch (RuntimeException e) {
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "cursor is not one this server handed out");
      }
    }
  }
}
