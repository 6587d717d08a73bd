package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.internal.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty answers itself, before a request reaches Javalin (a malformed URI, oversize
 * headers), or a failure that escaped Javalin: the same JSON error body as every other error
 * instead of Jetty's HTML page, and a 500's cause in the log under the response's trace id.
 */
public final class JettyErrors extends ErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(JettyErrors.class);
  private static final Pattern VALID_TRACE = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int status,
      String message,
      Throwable cause,
      Callback callback) {
    String given = request.getHeaders().get(TraceIds.HEADER);
    String trace =
        given != null && VALID_TRACE.matcher(given).matches() ? given : TraceIds.generate();
    if (status >= 500 && cause != null)
      LOG.error(
          "{} {} failed (trace {})",
          request.getMethod(),
          request.getHttpURI().getPath(),
          trace,
          cause);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(TraceIds.HEADER, trace);
    response.write(true, ByteBuffer.wrap(body(status, message, trace)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String trace = TraceIds.generate();
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    fields.put(TraceIds.HEADER, trace);
    return ByteBuffer.wrap(body(status, reason, trace));
  }

  private static byte[] body(int status, String message, String trace) {
    ErrorCode code =
        switch (status) {
          case 404 -> ErrorCode.NOT_FOUND;
          case 413, 414, 431 -> ErrorCode.PAYLOAD_TOO_LARGE;
          default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
        };
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("code", code.name());
    error.put(
        "message",
        status >= 500
            ? "internal error; the server log has the details under trace id " + trace
            : "malformed HTTP request: " + (message == null ? "status " + status : message));
    error.put("trace_id", trace);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("error", error);
    return Json.write(body).getBytes(StandardCharsets.UTF_8);
  }
}
