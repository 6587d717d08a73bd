package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;

/** Writes JSON responses with flowstore's own mapper (Javalin's JSON mapper is not used). */
final class Responses {
  private Responses() {}

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
