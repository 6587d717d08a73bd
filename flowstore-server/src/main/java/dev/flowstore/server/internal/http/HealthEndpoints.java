package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;

/** Liveness (the process answers) and readiness (the backend answers a probe now). */
final class HealthEndpoints {
  private final Flowstore flowstore;

  HealthEndpoints(Flowstore flowstore) {
    this.flowstore = flowstore;
  }

  void live(Context ctx) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("status", "up");
    Responses.json(ctx, 200, body);
  }

  /**
   * 200 when ready; otherwise checkReady's BACKEND_UNAVAILABLE becomes the usual 503 error body.
   */
  void ready(Context ctx) {
    flowstore.checkReady();
    ObjectNode body =
        Json.MAPPER.createObjectNode().put("status", "ready").put("backend", flowstore.describe());
    Responses.json(ctx, 200, body);
  }
}
