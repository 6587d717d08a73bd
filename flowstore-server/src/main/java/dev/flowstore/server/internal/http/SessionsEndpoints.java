package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.Ids;
import dev.flowstore.NewSession;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/** {@code /v1/sessions}: create, get (or as of a version), list, change (transitions), history. */
final class SessionsEndpoints {
  private static final Set<String> CREATE =
      Set.of(
          "session_id",
          "flow_id",
          "flow_version",
          "initial_state",
          "stage",
          "state",
          "params",
          "metadata",
          "schedule_id",
          "parent_session_id",
          "ttl_seconds");
  private static final Set<String> CHANGE =
      Set.of("expected_version", "to_state", "status", "stage", "state", "payload");

  private final Flowstore flowstore;
  private final RequestScope scope;

  SessionsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Sessions sessions(Context ctx) {
    return flowstore.sessions(scope.tenant(ctx));
  }

  private long bodyLimit() {
    return 4L * flowstore.config().maxPayloadBytes() + 64 * 1024;
  }

  void create(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), CREATE);
    ObjectNode metadata = b.objectOrEmpty("metadata");
    if (!metadata.has("trace_id")) metadata.put("trace_id", TraceIds.of(ctx));
    NewSession request =
        NewSession.builder()
            .sessionId(b.uuid("session_id"))
            // why: versions start at 1; a smaller one is bad input (400), not a flow to look up
            .flow(b.string("flow_id"), b.integer("flow_version", 1, Integer.MAX_VALUE))
            .initialState(b.string("initial_state"))
            .stage(b.string("stage"))
            .state(b.object("state"))
            .params(b.object("params"))
            .metadata(metadata)
            .scheduleId(b.string("schedule_id"))
            .parentSessionId(b.uuid("parent_session_id"))
            .ttlSeconds(b.integer("ttl_seconds"))
            .build();
    Responses.json(ctx, 201, WorkflowJson.session(sessions(ctx).create(request)));
  }

  void get(Context ctx) {
    UUID id = id(ctx);
    String asOf = QueryParams.string(ctx, "as_of_version");
    Responses.json(
        ctx,
        200,
        asOf == null
            ? ApiBodies.session(sessions(ctx), id)
            : WorkflowJson.session(
                sessions(ctx)
                    .getAsOf(
                        id, QueryParams.longParam(ctx, "as_of_version", 0, 0, Long.MAX_VALUE))));
  }

  void list(Context ctx) {
    String status = QueryParams.string(ctx, "status");
    String flowId = QueryParams.string(ctx, "flow_id");
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Sessions.Page page =
        sessions(ctx)
            .list(
                status == null ? null : SessionStatus.parse(status),
                flowId == null ? null : Ids.stream(flowId),
                limit,
                QueryParams.string(ctx, "cursor"));
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("sessions");
    page.sessions().forEach(s -> items.add(WorkflowJson.session(s)));
    body.put("next_cursor", page.nextCursor());
    Responses.json(ctx, 200, body);
  }

  void change(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), CHANGE);
    long expected = b.requiredLong("expected_version");
    String status = b.string("status");
    ObjectNode payload = b.objectOrEmpty("payload");
    SessionChange change =
        new SessionChange(
                b.string("to_state"),
                status == null ? null : SessionStatus.parse(status),
                b.string("stage"),
                b.object("state"),
                payload)
            .withTraceId(TraceIds.of(ctx));
    Responses.json(ctx, 200, WorkflowJson.session(sessions(ctx).change(id, expected, change)));
  }

  void history(Context ctx) {
    UUID id = id(ctx);
    long from = QueryParams.longParam(ctx, "from_version", 0, 0, Long.MAX_VALUE);
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(ctx, 200, ApiBodies.sessionEvents(sessions(ctx), id, from, limit));
  }

  private static UUID id(Context ctx) {
    return Ids.uuid("session_id", ctx.pathParam("session_id"));
  }
}
