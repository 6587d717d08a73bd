package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body with a size cap, so an oversize body is refused before it is buffered whole.
 * A body already read by {@link #buffer} (the idempotency-key wrapper fingerprints it before the
 * handler runs) is reused, and the route's own cap is applied to it.
 */
final class RequestBody {
  /** How much of an oversize body is read and dropped so the client gets to read the 413. */
  static final long DRAIN_LIMIT = 64L << 20;

  private static final String BUFFERED = "flowstore.request_body";

  private RequestBody() {}

  /**
   * The body as JSON: PAYLOAD_TOO_LARGE over {@code maxBytes}, INVALID_JSON when malformed or
   * empty.
   */
  static JsonNode json(Context ctx, long maxBytes) {
    return Json.parse("body", bytes(ctx, maxBytes));
  }

  /**
   * Like {@link #json}, but an empty body (or one of only whitespace) reads as {@code {}}: for
   * actions whose body is optional ({@code POST /v1/tasks/{id}/start}).
   */
  static JsonNode jsonOrEmpty(Context ctx, long maxBytes) {
    byte[] bytes = bytes(ctx, maxBytes);
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') return Json.parse("body", bytes);
    }
    return Json.MAPPER.createObjectNode();
  }

  /**
   * The largest body any route accepts (appending or enqueueing a batch): 16 payloads and 64 KiB of
   * envelope.
   */
  static long largestCap(FlowstoreConfig config) {
    return 16L * config.maxPayloadBytes() + 64 * 1024;
  }

  /**
   * Reads the body (at most {@code maxBytes}) and keeps it in {@code ctx}, so the handler's {@link
   * #json} reads the same bytes instead of the consumed stream.
   */
  static byte[] buffer(Context ctx, long maxBytes) {
    byte[] bytes = read(ctx, maxBytes);
    ctx.attribute(BUFFERED, bytes);
    return bytes;
  }

  private static byte[] bytes(Context ctx, long maxBytes) {
    byte[] buffered = ctx.attribute(BUFFERED);
    if (buffered == null) return read(ctx, maxBytes);
    if (buffered.length > maxBytes) throw tooLarge(buffered.length, maxBytes);
    return buffered;
  }

  private static byte[] read(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > maxBytes) {
        drain(in);
        throw tooLarge(declared, maxBytes);
      }
      // why: a declared length bounds the body (Jetty ends the stream there), so exactly that many
      // bytes are asked for; readNBytes(n) allocates min(n, 16 KiB) per chunk, and a small body
      // then costs one small array instead of 16 KiB of garbage per request. A chunked body
      // declares no length: reading one byte past the cap is enough to know it is too large
      long want = declared >= 0 ? declared : maxBytes + 1;
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, want));
      if (bytes.length > maxBytes) {
        drain(in);
        throw tooLarge(-1, maxBytes);
      }
      return bytes;
    } catch (IOException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "cannot read the request body: " + e.getMessage());
    }
  }

  /**
   * Reads and drops the rest of the body (up to {@link #DRAIN_LIMIT}). why: answering before the
   * client has sent its body makes the connection close under the client's write, and it sees a
   * broken pipe instead of the 413; beyond the limit that is the lesser evil.
   */
  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n = in.read(buffer); n >= 0 && total < DRAIN_LIMIT; n = in.read(buffer)) total += n;
  }

  private static FlowstoreException tooLarge(long size, long max) {
    String shown = size < 0 ? "more than " + max : Long.toString(size);
    return new FlowstoreException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "request body: "
            + shown
            + " bytes, the limit is "
            + max
            + " for this route (a multiple of FLOWSTORE_MAX_PAYLOAD_BYTES; see openapi.yaml)");
  }
}
