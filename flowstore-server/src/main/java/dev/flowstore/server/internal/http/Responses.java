package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;

/** Writes JSON responses with flowstore's own mapper (Javalin's JSON mapper is not used). */
final class Responses {
  private Responses() {}

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(bytes(body));
  }

  // why: straight to UTF-8 bytes (what goes on the wire) rather than a String Javalin re-encodes
  private static byte[] bytes(JsonNode body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, "cannot serialize JSON: " + e.getOriginalMessage(), e);
    }
  }
}
