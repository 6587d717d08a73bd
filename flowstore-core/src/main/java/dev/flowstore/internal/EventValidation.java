package dev.flowstore.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Checks an append before any backend touches storage, so bad input is never half-written. */
public final class EventValidation {
  /** The most events one append may carry. */
  public static final int MAX_EVENTS_PER_APPEND = 1000;

  private EventValidation() {}

  /** An event ready to store: its id assigned and its JSON serialized. */
  public record Prepared(
      UUID eventId, String type, String payloadJson, String metadataJson, EventData source) {}

  public static List<Prepared> prepare(String stream, List<EventData> events, int maxPayloadBytes) {
    Ids.stream(stream);
    if (events == null || events.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "events: at least one event is required");
    if (events.size() > MAX_EVENTS_PER_APPEND) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "events: at most " + MAX_EVENTS_PER_APPEND + " per append, got " + events.size());
    }
    List<Prepared> out = new ArrayList<>(events.size());
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      EventData e = events.get(i);
      String at = "events[" + i + "]";
      if (e == null) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, at + ": is null");
      type(at + ".type", e.type());
      Json.rejectNul(at + ".payload", e.payload());
      Json.rejectNul(at + ".metadata", e.metadata());
      String payload = Json.write(e.payload());
      String metadata = Json.write(e.metadata());
      int size = payload.getBytes(StandardCharsets.UTF_8).length;
      if (size > maxPayloadBytes) {
        throw new FlowstoreException(
            ErrorCode.PAYLOAD_TOO_LARGE,
            at
                + ".payload: "
                + size
                + " bytes, the limit is "
                + maxPayloadBytes
                + " (FLOWSTORE_MAX_PAYLOAD_BYTES)");
      }
      if (metadata.length() > 65_536)
        throw new FlowstoreException(
            ErrorCode.PAYLOAD_TOO_LARGE, at + ".metadata: larger than 64 KiB");
      UUID id = e.eventId() == null ? Uuids.next() : e.eventId();
      if (!seen.add(id))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, at + ".event_id: " + id + " appears twice in one append");
      out.add(new Prepared(id, e.type(), payload, metadata, e));
    }
    return out;
  }

  /** Checks a page size. */
  public static int limit(int limit) {
    if (limit < 1 || limit > EventStore.MAX_PAGE) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "limit must be between 1 and " + EventStore.MAX_PAGE + ", got " + limit);
    }
    return limit;
  }

  private static void type(String at, String type) {
    if (type == null
        || type.isBlank()
        || type.length() > 200
        || type.chars().anyMatch(Character::isISOControl)) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, at + ": must be 1-200 printable characters");
    }
  }
}
