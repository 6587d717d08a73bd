package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flow;
import dev.flowstore.Flows;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/** {@code /v1/flows}: register (a new version each time), get latest or one version, list. */
final class FlowsEndpoints {
  private static final Set<String> FIELDS =
      Set.of("flow_id", "name", "description", "yaml_content", "param_schema");

  private final Flowstore flowstore;
  private final RequestScope scope;

  FlowsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Flows flows(Context ctx) {
    return flowstore.flows(scope.tenant(ctx));
  }

  void register(Context ctx) {
    BodyFields body =
        BodyFields.of(
            "body", RequestBody.json(ctx, 4L * flowstore.config().maxPayloadBytes()), FIELDS);
    Flow flow =
        flows(ctx)
            .register(
                body.requiredString("flow_id"),
                body.string("name"),
                body.string("description"),
                body.requiredString("yaml_content"),
                body.object("param_schema"));
    Responses.json(ctx, 201, WorkflowJson.flow(flow));
  }

  void get(Context ctx) {
    String id = ctx.pathParam("flow_id");
    long version = QueryParams.longParam(ctx, "version", 0, 1, Integer.MAX_VALUE);
    Flow flow =
        (version == 0 ? flows(ctx).get(id) : flows(ctx).get(id, (int) version))
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND,
                        "flow '"
                            + QueryParams.shorten(id)
                            + "'"
                            + (version == 0 ? "" : " version " + version)
                            + " not found"));
    Responses.json(ctx, 200, WorkflowJson.flow(flow));
  }

  void list(Context ctx) {
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    List<Flow> page = flows(ctx).list(QueryParams.string(ctx, "after"), limit);
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("flows");
    page.forEach(f -> items.add(WorkflowJson.flow(f)));
    body.put("next_after", page.size() == limit ? page.get(page.size() - 1).flowId() : null);
    Responses.json(ctx, 200, body);
  }
}
