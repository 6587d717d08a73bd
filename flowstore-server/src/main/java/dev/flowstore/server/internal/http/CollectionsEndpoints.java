package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;

/**
 * {@code /v1/collections}: declare (for every tenant), list, get. The caller must be a tenant (an
 * API key or, in dev mode, X-Tenant-Id), though a declaration is every tenant's.
 */
final class CollectionsEndpoints {
  private final Flowstore flowstore;
  private final RequestScope scope;

  CollectionsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  void declare(Context ctx) {
    scope.tenant(ctx);
    // why: a declaration is every tenant's (its schema and indexes apply to all of them)
    scope.requireAdmin(ctx, "declare a collection (a declaration applies to every tenant)");
    var body = RequestBody.json(ctx, 4L * flowstore.config().maxPayloadBytes());
    var declared = flowstore.collections().declare(CollectionRules.fromJson(body));
    Responses.json(ctx, 200, CollectionJson.collection(declared));
  }

  void list(Context ctx) {
    scope.tenant(ctx);
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("collections");
    flowstore.collections().list().forEach(c -> items.add(CollectionJson.collection(c)));
    Responses.json(ctx, 200, body);
  }

  void get(Context ctx) {
    scope.tenant(ctx);
    String name = ctx.pathParam("collection");
    var found =
        flowstore
            .collections()
            .get(name)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND, "collection '" + name + "' is not declared"));
    Responses.json(ctx, 200, CollectionJson.collection(found));
  }
}
