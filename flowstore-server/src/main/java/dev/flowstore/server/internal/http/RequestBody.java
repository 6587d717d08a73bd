package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body with a size cap, so an oversize body is refused before it is buffered whole. */
final class RequestBody {
  private RequestBody() {}

  /** The body as JSON: PAYLOAD_TOO_LARGE over {@code maxBytes}, INVALID_JSON when malformed or empty. */
  static JsonNode json(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) throw tooLarge(declared, maxBytes);
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      // why: a chunked body declares no length; reading one byte past the cap is enough to know
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    } catch (IOException e) {
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "cannot read the request body: " + e.getMessage());
    }
    if (bytes.length > maxBytes) throw tooLarge(-1, maxBytes);
    return Json.parse("body", bytes);
  }

  private static FlowstoreException tooLarge(long size, long max) {
    String shown = size < 0 ? "more than " + max : Long.toString(size);
    return new FlowstoreException(ErrorCode.PAYLOAD_TOO_LARGE, "request body: " + shown + " bytes, the limit is " + max + " (16 x FLOWSTORE_MAX_PAYLOAD_BYTES + 64 KiB)");
  }
}
