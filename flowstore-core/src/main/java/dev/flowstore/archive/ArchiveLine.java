package dev.flowstore.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.internal.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/** One line of an archive file: the codec between a stored event and its JSON text. */
record ArchiveLine(
    Instant ts,
    String stream,
    String type,
    UUID eventId,
    long version,
    ObjectNode payload,
    ObjectNode metadata) {
  private static final Set<String> FIELDS =
      Set.of("ts", "stream", "event", "event_id", "version", "payload", "metadata");

  static ArchiveLine of(RecordedEvent e) {
    return new ArchiveLine(
        e.createdAt(), e.stream(), e.type(), e.eventId(), e.version(), e.payload(), e.metadata());
  }

  /**
   * The line's JSON, fields always in the same order (the round trip is byte-exact because of it).
   */
  String toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("ts", ts.toString());
    o.put("stream", stream);
    o.put("event", type);
    o.put("event_id", eventId.toString());
    o.put("version", version);
    o.set("payload", payload);
    o.set("metadata", metadata);
    return Json.write(o);
  }

  EventData toEventData() {
    return new EventData(eventId, type, payload, metadata, ts);
  }

  /**
   * Parses a line. Besides what {@link #toJson()} writes, it accepts the older seed format ({@code
   * {"ts": <epoch seconds>, "stream", "event", "payload"}}): a missing version continues the file
   * ({@code nextVersion}), and a missing event id is derived from stream and version, so importing
   * such a file twice still changes nothing the second time.
   *
   * @param where {@code file:line}, the prefix of every error message
   */
  static ArchiveLine parse(String where, String text, long nextVersion) {
    ObjectNode o = Json.object(where, Json.parse(where, text));
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name))
        throw bad(
            where,
            "unknown field '"
                + name
                + "' (known: ts, stream, event, event_id, version, payload, metadata)");
    }
    String stream = text(where, o, "stream");
    String type = text(where, o, "event");
    Instant ts = ts(where, o.get("ts"));
    long version = nextVersion;
    JsonNode v = o.get("version");
    if (v != null && !v.isNull()) {
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0)
        throw bad(where, "version must be an integer >= 0, got " + v);
      version = v.longValue();
    }
    UUID id;
    JsonNode idNode = o.get("event_id");
    if (idNode == null || idNode.isNull()) {
      id =
          UUID.nameUUIDFromBytes(
              ("flowstore-archive:" + stream + ":" + version).getBytes(StandardCharsets.UTF_8));
    } else {
      try {
        if (!idNode.isTextual() || idNode.textValue().length() != 36)
          throw new IllegalArgumentException();
        id = UUID.fromString(idNode.textValue());
      } catch (IllegalArgumentException e) {
        throw bad(where, "event_id must be a UUID, got " + idNode);
      }
    }
    ObjectNode payload = object(where, o, "payload", true);
    ObjectNode metadata = object(where, o, "metadata", false);
    return new ArchiveLine(ts, stream, type, id, version, payload, metadata);
  }

  private static Instant ts(String where, JsonNode ts) {
    if (ts == null || ts.isNull()) throw bad(where, "ts is required");
    if (ts.isNumber()) {
      // why: the seed format wrote time.time(), float seconds since the epoch; flowstore keeps
      // microseconds
      BigDecimal seconds = ts.decimalValue();
      BigDecimal whole = new BigDecimal(seconds.toBigInteger());
      long nanos = seconds.subtract(whole).movePointRight(9).longValue();
      return Instant.ofEpochSecond(whole.longValueExact(), nanos).truncatedTo(ChronoUnit.MICROS);
    }
    if (!ts.isTextual())
      throw bad(where, "ts must be an ISO-8601 instant or epoch seconds, got " + ts);
    try {
      return Instant.parse(ts.textValue());
    } catch (DateTimeParseException e) {
      throw bad(
          where, "ts must be an ISO-8601 instant like 2026-01-02T03:04:05.123456Z, got " + ts);
    }
  }

  private static String text(String where, ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual()) throw bad(where, field + " must be a string");
    return n.textValue();
  }

  private static ObjectNode object(String where, ObjectNode o, String field, boolean required) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      if (required) throw bad(where, field + " is required");
      return JsonNodeFactory.instance.objectNode();
    }
    if (n instanceof ObjectNode obj) return obj;
    throw bad(where, field + " must be a JSON object");
  }

  private static FlowstoreException bad(String where, String what) {
    return new FlowstoreException(ErrorCode.INVALID_JSON, where + ": " + what);
  }
}
