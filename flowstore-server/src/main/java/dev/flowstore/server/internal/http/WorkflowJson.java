package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flow;
import dev.flowstore.Session;
import java.time.Instant;

/** The wire form of flows and sessions (snake_case, times as ISO-8601). */
final class WorkflowJson {
  private WorkflowJson() {}

  static ObjectNode flow(Flow f) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("flow_id", f.flowId());
    o.put("version", f.version());
    o.put("name", f.name());
    o.put("description", f.description());
    o.put("yaml_content", f.yamlContent());
    o.set("param_schema", f.paramSchema());
    o.put("created_at", f.createdAt().toString());
    return o;
  }

  /**
   * The session as the API answers it (openapi.yaml, schema Session): status in lower case like
   * every status of the API. why not shared with the two other JSON forms of a session, the Redis
   * cache entry ({@code SessionCodec}) and the {@code session.created} event payload ({@code
   * SessionRules.snapshot}): those are private, round-trip to an equal {@link Session} with the
   * enum's own name, and change by their own rules (a cache entry by a format number, an event
   * payload never, since old streams are replayed); this one is the public contract.
   */
  static ObjectNode session(Session s) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("session_id", s.sessionId().toString());
    o.put("flow_id", s.flowId());
    if (s.flowVersion() == null) o.putNull("flow_version");
    else o.put("flow_version", s.flowVersion());
    o.put("status", RecordsJson.lower(s.status()));
    o.put("current_state", s.currentState());
    o.put("stage", s.stage());
    o.set("state", s.state());
    o.set("params", s.params());
    o.set("metadata", s.metadata());
    o.put("schedule_id", s.scheduleId());
    o.put("parent_session_id", s.parentSessionId() == null ? null : s.parentSessionId().toString());
    o.put("version", s.version());
    o.put("created_at", s.createdAt().toString());
    o.put("updated_at", s.updatedAt().toString());
    o.put("completed_at", time(s.completedAt()));
    if (s.ttlSeconds() == null) o.putNull("ttl_seconds");
    else o.put("ttl_seconds", s.ttlSeconds());
    o.put("expires_at", time(s.expiresAt()));
    return o;
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
