package dev.flowstore;

import java.util.List;

/**
 * The outcome of an append.
 *
 * @param stream the stream appended to
 * @param nextExpectedVersion the stream's version after the append (pass it as the next expected
 *     version)
 * @param events the appended events as stored, in order
 * @param replayed true when every event id was already stored at these positions and nothing was
 *     written
 */
public record AppendResult(
    String stream, long nextExpectedVersion, List<RecordedEvent> events, boolean replayed) {
  public AppendResult {
    events = List.copyOf(events);
  }

  /** The tenant-wide position of the last event appended. */
  public long lastPosition() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).position();
  }
}
