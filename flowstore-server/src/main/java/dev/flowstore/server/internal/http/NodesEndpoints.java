package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Node;
import dev.flowstore.NodeDefinition;
import dev.flowstore.Nodes;
import dev.flowstore.internal.RecordValidation;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/** {@code /v1/nodes}: register (an upsert by node id), get, list with a type filter. */
final class NodesEndpoints {
  private static final Set<String> REGISTER =
      Set.of("node_type", "name", "description", "endpoint", "param_schema", "status");

  private final Flowstore flowstore;
  private final RequestScope scope;

  NodesEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Nodes nodes(Context ctx) {
    return flowstore.nodes(scope.tenant(ctx));
  }

  /** 200 with the node as registered now (new or replaced: the store does not tell them apart). */
  void register(Context ctx) {
    String id = nodeId(ctx);
    BodyFields b =
        BodyFields.of(
            "body",
            RequestBody.json(ctx, 2L * flowstore.config().maxPayloadBytes() + 64 * 1024),
            REGISTER);
    String status = b.string("status");
    NodeDefinition node =
        new NodeDefinition(
            id,
            RecordsJson.parse("node_type", Node.Type.class, b.requiredString("node_type")),
            b.string("name"),
            b.string("description"),
            b.string("endpoint"),
            b.object("param_schema"),
            status == null ? null : RecordsJson.parse("status", Node.Status.class, status));
    Responses.json(ctx, 200, RecordsJson.node(nodes(ctx).register(node)));
  }

  void get(Context ctx) {
    String id = nodeId(ctx);
    Node node =
        nodes(ctx)
            .get(id)
            .orElseThrow(
                () -> new FlowstoreException(ErrorCode.NOT_FOUND, "node '" + id + "' not found"));
    Responses.json(ctx, 200, RecordsJson.node(node));
  }

  void list(Context ctx) {
    String type = QueryParams.string(ctx, "type");
    String after = QueryParams.string(ctx, "after");
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    List<Node> page =
        nodes(ctx)
            .list(
                type == null ? null : RecordsJson.parse("type", Node.Type.class, type),
                after == null ? null : RecordValidation.name("after", after),
                limit);
    ObjectNode body = RecordsJson.page("nodes", page, RecordsJson::node);
    body.put("next_after", page.size() == limit ? page.get(page.size() - 1).nodeId() : null);
    Responses.json(ctx, 200, body);
  }

  private static String nodeId(Context ctx) {
    return RecordValidation.name("node_id", ctx.pathParam("node_id"));
  }
}
