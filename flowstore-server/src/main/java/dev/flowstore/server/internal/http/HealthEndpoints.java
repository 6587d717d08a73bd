package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;

/** Liveness (the process answers) and readiness (the backend answers a probe now). */
final class HealthEndpoints {
  private final Flowstore flowstore;
  private final MaintenanceGate maintenance;

  HealthEndpoints(Flowstore flowstore, MaintenanceGate maintenance) {
    this.flowstore = flowstore;
    this.maintenance = maintenance;
  }

  void live(Context ctx) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("status", "up");
    Responses.json(ctx, 200, body);
  }

  /**
   * 200 when ready; otherwise checkReady's BACKEND_UNAVAILABLE becomes the usual 503 error body.
   * Under maintenance the server is still ready (a load balancer keeps sending it reads): the body
   * says so in {@code maintenance}.
   */
  void ready(Context ctx) {
    flowstore.checkReady();
    ObjectNode body =
        Json.MAPPER.createObjectNode().put("status", "ready").put("backend", flowstore.describe());
    body.set("maintenance", MaintenanceGate.json(maintenance.state()));
    Responses.json(ctx, 200, body);
  }
}
