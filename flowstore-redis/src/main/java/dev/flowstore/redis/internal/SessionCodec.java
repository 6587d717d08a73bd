package dev.flowstore.redis.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.internal.Json;
import java.time.Instant;
import java.util.UUID;

/**
 * The cached form of a session: one JSON object, times as ISO-8601 (exact to the nanosecond), JSON
 * columns nested as they are. Parsed with flowstore's one JSON configuration, so a decoded session
 * equals the one the SQL store reads.
 *
 * <p>why its own writer, though its fields are those of the HTTP answer (flowstore-server's {@code
 * WorkflowJson.session}): the two are different formats with different owners. This one is private,
 * must decode back to an equal {@link Session} (status by the enum's name, not the API's lower
 * case) and changes only with {@code FORMAT}; the HTTP one is the public contract of openapi.yaml.
 * Shared, a change to the API would change what is cached without a new format number.
 */
final class SessionCodec {
  // why: bump when the layout changes; entries of another format are misses, not errors
  private static final int FORMAT = 1;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SessionCodec() {}

  static String encode(Session s) {
    ObjectNode o = JSON.objectNode();
    o.put("fmt", FORMAT);
    o.put("session_id", s.sessionId().toString());
    o.put("flow_id", s.flowId());
    o.put("flow_version", s.flowVersion());
    o.put("status", s.status().name());
    o.put("current_state", s.currentState());
    o.put("stage", s.stage());
    o.set("state", s.state());
    o.set("params", s.params());
    o.set("metadata", s.metadata());
    o.put("schedule_id", s.scheduleId());
    o.put("parent_session_id", s.parentSessionId() == null ? null : s.parentSessionId().toString());
    o.put("version", s.version());
    o.put("created_at", time(s.createdAt()));
    o.put("updated_at", time(s.updatedAt()));
    o.put("completed_at", time(s.completedAt()));
    o.put("ttl_seconds", s.ttlSeconds());
    o.put("expires_at", time(s.expiresAt()));
    return Json.write(o);
  }

  /** The session, or null when {@code text} is not a cache entry of this format. */
  static Session decode(String text) {
    try {
      ObjectNode o = Json.parseObject("cached session", text);
      if (o.path("fmt").asInt() != FORMAT) return null;
      return new Session(
          UUID.fromString(o.get("session_id").asText()),
          text(o, "flow_id"),
          o.get("flow_version").isNull() ? null : o.get("flow_version").intValue(),
          SessionStatus.valueOf(o.get("status").asText()),
          text(o, "current_state"),
          text(o, "stage"),
          Json.object("state", o.get("state")),
          Json.object("params", o.get("params")),
          Json.object("metadata", o.get("metadata")),
          text(o, "schedule_id"),
          o.get("parent_session_id").isNull()
              ? null
              : UUID.fromString(o.get("parent_session_id").asText()),
          o.get("version").longValue(),
          instant(o, "created_at"),
          instant(o, "updated_at"),
          instant(o, "completed_at"),
          o.get("ttl_seconds").isNull() ? null : o.get("ttl_seconds").intValue(),
          instant(o, "expires_at"));
    } catch (RuntimeException e) {
      return null; // why: a corrupt or foreign entry is a miss; the reload overwrites it
    }
  }

  /** An instant as the cached forms hold it (ISO-8601, exact to the nanosecond), or null. */
  static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  private static String text(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    return n.isNull() ? null : n.asText();
  }

  /** The instant {@link #time} wrote at {@code field}, or null. */
  static Instant instant(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    return n.isNull() ? null : Instant.parse(n.asText());
  }
}
