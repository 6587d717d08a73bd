package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * An event as stored.
 *
 * @param eventId unique within the tenant
 * @param stream the stream it belongs to
 * @param version its place in the stream: 0, 1, 2... without gaps
 * @param position its place in the tenant-wide feed: 1, 2, 3... without gaps, in commit order
 * @param type the event type
 * @param payload a JSON object
 * @param metadata a JSON object
 * @param createdAt when it was appended (microsecond precision)
 */
public record RecordedEvent(
    UUID eventId,
    String stream,
    long version,
    long position,
    String type,
    ObjectNode payload,
    ObjectNode metadata,
    Instant createdAt) {

  /** The stream's category: the part of the stream id before its first '-'. */
  public String category() {
    return Ids.category(stream);
  }
}
