package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP response: {@code {"error": {"code", "message",
 * "trace_id"}}} with the code's status. Client mistakes keep their message; anything unexpected is
 * a 500 whose details go to the log, never to the client.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  public static void register(RoutesConfig routes) {
    routes.exception(FlowstoreException.class, ErrorResponses::flowstore);
    routes.exception(HttpResponseException.class, ErrorResponses::http);
    routes.exception(Exception.class, ErrorResponses::unexpected);
  }

  static void flowstore(FlowstoreException e, Context ctx) {
    boolean unavailable =
        e.code() == ErrorCode.BACKEND_UNAVAILABLE || e.code() == ErrorCode.OUTCOME_UNKNOWN;
    if (e.code().httpStatus() >= 500 && !unavailable) {
      unexpected(e, ctx);
      return;
    }
    if (unavailable)
      LOG.warn("{} {}: {} (trace {})", ctx.method(), ctx.path(), e.getMessage(), TraceIds.of(ctx));
    write(ctx, e.code().httpStatus(), e.code().name(), e.getMessage());
  }

  /** Javalin's own refusals: no route (404), wrong method (405), and the like. */
  static void http(HttpResponseException e, Context ctx) {
    int status = e.getStatus();
    switch (status) {
      case 404 ->
          write(
              ctx,
              404,
              ErrorCode.NOT_FOUND.name(),
              "no route for " + ctx.method() + " " + QueryParams.shorten(ctx.path()));
      case 405 ->
          write(
              ctx,
              405,
              ErrorCode.METHOD_NOT_ALLOWED.name(),
              ctx.method() + " is not allowed on " + QueryParams.shorten(ctx.path()));
      case 413 -> write(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE.name(), "request body too large");
      default -> {
        if (status >= 500) unexpected(e, ctx);
        else write(ctx, status, ErrorCode.INVALID_ARGUMENT.name(), e.getMessage());
      }
    }
  }

  static void unexpected(Exception e, Context ctx) {
    String trace = TraceIds.of(ctx);
    LOG.error("{} {} failed (trace {})", ctx.method(), ctx.path(), trace, e);
    write(
        ctx,
        500,
        ErrorCode.INTERNAL.name(),
        "internal error; the server log has the details under trace id " + trace);
  }

  private static void write(Context ctx, int status, String code, String message) {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("code", code);
    error.put("message", message);
    error.put("trace_id", TraceIds.of(ctx));
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("error", error);
    Responses.json(ctx, status, body);
  }
}
