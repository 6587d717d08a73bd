package dev.flowstore;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to append.
 *
 * @param eventId the event's id; supply it to make the append idempotent, or leave null to get a
 *     new one
 * @param type the event type, 1-200 printable chars (e.g. {@code session.transitioned})
 * @param payload a JSON object
 * @param metadata a JSON object; flowstore knows the keys {@code trace_id, source, target, tick,
 *     priority, from_state, to_state, causation_id, correlation_id} and keeps any others as they
 *     are
 * @param createdAt null for "now"; set only to import history with its original times
 */
public record EventData(
    UUID eventId, String type, ObjectNode payload, ObjectNode metadata, Instant createdAt) {
  public EventData(UUID eventId, String type, ObjectNode payload, ObjectNode metadata) {
    this(eventId, type, payload, metadata, null);
  }

  public EventData {
    Objects.requireNonNull(type, "type");
    payload = payload == null ? JsonNodeFactory.instance.objectNode() : payload;
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata;
  }

  public static EventData of(String type, ObjectNode payload) {
    return new EventData(null, type, payload, null);
  }

  public EventData withEventId(UUID id) {
    return new EventData(id, type, payload, metadata, createdAt);
  }
}
