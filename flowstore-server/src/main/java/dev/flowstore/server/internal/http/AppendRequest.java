package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The body of {@code POST /v1/streams/{stream}/events}, checked field by field: unknown fields are
 * refused by name (a misspelt {@code expected_version} must not silently become "any").
 */
record AppendRequest(ExpectedVersion expected, List<EventData> events) {
  private static final Set<String> TOP = Set.of("expected_version", "events");
  private static final Set<String> EVENT = Set.of("type", "payload", "metadata", "event_id");

  /**
   * Parses the body; {@code traceId} goes into each event's metadata unless it carries one already.
   */
  static AppendRequest parse(JsonNode body, String traceId) {
    ObjectNode top = Json.object("body", body);
    BodyFields.onlyKnown("body", top, TOP);
    ExpectedVersion expected = expected(top.get("expected_version"));
    JsonNode list = top.get("events");
    if (list == null || !list.isArray()) throw invalid("events: required, an array of events");
    if (list.isEmpty()) throw invalid("events: at least one event is required");
    if (list.size() > EventValidation.MAX_EVENTS_PER_APPEND) {
      throw invalid(
          "events: at most "
              + EventValidation.MAX_EVENTS_PER_APPEND
              + " per append, got "
              + list.size());
    }
    List<EventData> events = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++)
      events.add(event("events[" + i + "]", list.get(i), traceId));
    return new AppendRequest(expected, events);
  }

  private static ExpectedVersion expected(JsonNode v) {
    if (v == null || v.isNull()) return ExpectedVersion.ANY;
    if (v.isTextual() && v.textValue().equals("any")) return ExpectedVersion.ANY;
    if (v.isTextual() && v.textValue().equals("no_stream")) return ExpectedVersion.NO_STREAM;
    if (v.isIntegralNumber() && v.canConvertToLong()) return ExpectedVersion.exact(v.longValue());
    throw invalid(
        "expected_version must be \"any\", \"no_stream\" or a version >= 0, got "
            + QueryParams.shorten(v.toString()));
  }

  private static EventData event(String at, JsonNode node, String traceId) {
    if (!(node instanceof ObjectNode e))
      throw invalid(at + ": must be an object with type, payload, metadata and event_id");
    BodyFields.onlyKnown(at, e, EVENT);
    JsonNode type = e.get("type");
    if (type == null || !type.isTextual()) throw invalid(at + ".type: required, a string");
    ObjectNode payload = optionalObject(at + ".payload", e.get("payload"));
    ObjectNode metadata = optionalObject(at + ".metadata", e.get("metadata"));
    if (!metadata.has("trace_id")) metadata.put("trace_id", traceId);
    UUID id = null;
    JsonNode idNode = e.get("event_id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual())
        throw new FlowstoreException(
            ErrorCode.INVALID_ID,
            at + ".event_id must be a UUID string, got " + QueryParams.shorten(idNode.toString()));
      id = Ids.uuid(at + ".event_id", idNode.textValue());
    }
    return new EventData(id, type.textValue(), payload, metadata);
  }

  private static ObjectNode optionalObject(String at, JsonNode node) {
    if (node == null || node.isNull()) return Json.MAPPER.createObjectNode();
    return Json.object(at, node);
  }

  private static FlowstoreException invalid(String message) {
    return BodyFields.invalid(message);
  }
}
