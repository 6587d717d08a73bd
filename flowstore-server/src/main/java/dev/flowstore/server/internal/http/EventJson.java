package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.RecordedEvent;
import java.util.List;

/** The wire form of a stored event (snake_case, {@code created_at} as ISO-8601). */
final class EventJson {
  private EventJson() {}

  static ObjectNode of(RecordedEvent e) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("event_id", e.eventId().toString());
    o.put("stream", e.stream());
    o.put("version", e.version());
    o.put("position", e.position());
    o.put("type", e.type());
    o.set("payload", e.payload());
    o.set("metadata", e.metadata());
    o.put("created_at", e.createdAt().toString());
    return o;
  }

  static ArrayNode array(List<RecordedEvent> events) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode(events.size());
    events.forEach(e -> a.add(of(e)));
    return a;
  }
}
