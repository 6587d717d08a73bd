package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AppendResult;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code /v1/streams/{stream}/events} and {@code /v1/events}: append, read a stream, read the feed.
 */
final class EventsEndpoints {
  static final int DEFAULT_LIMIT = 100;

  /**
   * The longest long poll of {@code GET /v1/events?wait_s=} (below Jetty's 30 s idle timeout and
   * common proxy timeouts).
   */
  static final int MAX_WAIT_S = 20;

  private static final Pattern CATEGORY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:@=+]{0,199}$");

  private final Flowstore flowstore;
  private final RequestScope scope;

  EventsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  void append(Context ctx) {
    String stream = Ids.stream(ctx.pathParam("stream"));
    // why: a session's stream is its history (as_of replays it); only session changes write it
    if (stream.startsWith("session-"))
      throw new dev.flowstore.FlowstoreException(
          dev.flowstore.ErrorCode.INVALID_ARGUMENT,
          "stream "
              + stream
              + " belongs to a session: change the session (POST /v1/sessions/{id}/transitions) instead of appending to its stream");
    long maxBody = RequestBody.largestCap(flowstore.config());
    AppendRequest request = AppendRequest.parse(RequestBody.json(ctx, maxBody), TraceIds.of(ctx));
    AppendResult result = events(ctx).append(stream, request.expected(), request.events());
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("stream", result.stream());
    body.put("next_expected_version", result.nextExpectedVersion());
    body.put("replayed", result.replayed());
    body.set("events", EventJson.array(result.events()));
    Responses.json(ctx, result.replayed() ? 200 : 201, body);
  }

  void readStream(Context ctx) {
    String stream = Ids.stream(ctx.pathParam("stream"));
    Direction direction = direction(ctx);
    boolean forward = direction == Direction.FORWARD;
    long from =
        QueryParams.longParam(ctx, "from_version", forward ? 0 : Long.MAX_VALUE, 0, Long.MAX_VALUE);
    int limit = limit(ctx);
    List<RecordedEvent> page = events(ctx).readStream(stream, from, limit, direction);
    Long next = null;
    if (page.size() == limit) {
      long last = page.get(page.size() - 1).version();
      next = forward ? Long.valueOf(last + 1) : last > 0 ? Long.valueOf(last - 1) : null;
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("events", EventJson.array(page));
    if (next == null) body.putNull("next_from_version");
    else body.put("next_from_version", next);
    Responses.json(ctx, 200, body);
  }

  void readAll(Context ctx) {
    long after = QueryParams.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = limit(ctx);
    String category = QueryParams.string(ctx, "category");
    if (category != null && !CATEGORY.matcher(category).matches()) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "category must be the part of a stream id before its first '-' (letters, digits, '_', '.', ':', '@', '=', '+'), got '"
              + QueryParams.shorten(category)
              + "'");
    }
    int waitS = QueryParams.intParam(ctx, "wait_s", 0, 0, MAX_WAIT_S);
    List<RecordedEvent> page = awaitFeed(events(ctx), after, limit, category, waitS);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("events", EventJson.array(page));
    body.put("next_after", page.isEmpty() ? after : page.get(page.size() - 1).position());
    Responses.json(ctx, 200, body);
  }

  /**
   * Long polling ({@link EventStore#awaitAll}): woken by the commit of an append, in this process
   * or (PostgreSQL) any other; the request's virtual thread waits holding no connection.
   */
  private static List<RecordedEvent> awaitFeed(
      EventStore store, long after, int limit, String category, int waitS) {
    try {
      return store.awaitAll(after, limit, category, Duration.ofSeconds(waitS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private EventStore events(Context ctx) {
    return flowstore.events(scope.tenant(ctx));
  }

  private static int limit(Context ctx) {
    return QueryParams.intParam(ctx, "limit", DEFAULT_LIMIT, 1, EventStore.MAX_PAGE);
  }

  private static Direction direction(Context ctx) {
    String raw = QueryParams.string(ctx, "direction");
    if (raw == null || raw.equals("forward")) return Direction.FORWARD;
    if (raw.equals("backward")) return Direction.BACKWARD;
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        "direction must be 'forward' or 'backward', got '" + QueryParams.shorten(raw) + "'");
  }
}
