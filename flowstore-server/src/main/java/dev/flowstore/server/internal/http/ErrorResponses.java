package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP response: {@code {"error": {"code", "message",
 * "trace_id"}}} with the code's status. Client mistakes keep their message; anything unexpected is
 * a 500 whose details go to the log, never to the client.
 *
 * <p>Javalin's exception mappers take {@link Exception}s only: a {@link Throwable} that is not one
 * (a {@code NoClassDefFoundError} from a broken classpath, an {@code AssertionError}, a {@code
 * StackOverflowError}) would bypass them and answer a bare 500 with no body, no trace id and no log
 * line (Javalin logs it under a logger the server silences). So every handler, before and after
 * filters included, is wrapped to hand such a throwable to the mappers as an {@link
 * UncaughtThrowable}; Javalin's own last-resort handler for {@link Error}s answers the same JSON
 * for anything that escapes the wrapper.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  /** Maps every failure of {@code config}'s routes, whatever it throws, to the error body. */
  public static void register(JavalinConfig config) {
    config.router.handlerWrapper(ErrorResponses::catchingThrowables);
    config.router.javaLangErrorHandler(ErrorResponses::lastResort);
    config.routes.exception(FlowstoreException.class, ErrorResponses::flowstore);
    config.routes.exception(HttpResponseException.class, ErrorResponses::http);
    config.routes.exception(Exception.class, ErrorResponses::unexpected);
  }

  /**
   * A throwable that is not an {@link Exception}, carried to the exception mappers. Javalin then
   * runs its usual course: the handlers after a failed before filter are skipped, after filters
   * still run.
   */
  static final class UncaughtThrowable extends RuntimeException {
    UncaughtThrowable(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private static Handler catchingThrowables(Endpoint endpoint) {
    Handler handler = endpoint.handler;
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (Exception e) {
        throw e;
      } catch (Throwable t) {
        throw new UncaughtThrowable(t);
      }
    };
  }

  static void flowstore(FlowstoreException e, Context ctx) {
    boolean unavailable =
        e.code() == ErrorCode.BACKEND_UNAVAILABLE || e.code() == ErrorCode.OUTCOME_UNKNOWN;
    if (e.code() == ErrorCode.MAINTENANCE) {
      write(ctx, e.code().httpStatus(), e.code().name(), e.getMessage());
      return;
    }
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
    Throwable logged = e instanceof UncaughtThrowable u ? u.getCause() : e;
    LOG.error("{} {} failed (trace {})", ctx.method(), ctx.path(), trace, logged);
    write(ctx, 500, ErrorCode.INTERNAL.name(), internalMessage(trace));
  }

  /**
   * An {@link Error} that escaped the wrapper (thrown by Javalin itself, or while writing a
   * response): Javalin gives no {@link Context} here, so the trace id is the one already on the
   * response, or a new one.
   */
  static void lastResort(HttpServletResponse res, Error e) {
    String trace = res.getHeader(TraceIds.HEADER);
    if (trace == null) trace = TraceIds.generate();
    LOG.error("request failed (trace {})", trace, e);
    if (res.isCommitted()) return;
    try {
      res.resetBuffer();
      res.setStatus(500);
      res.setHeader(TraceIds.HEADER, trace);
      res.setContentType("application/json");
      byte[] body =
          Json.write(body(ErrorCode.INTERNAL.name(), internalMessage(trace), trace))
              .getBytes(StandardCharsets.UTF_8);
      res.setContentLength(body.length);
      res.getOutputStream().write(body);
    } catch (IOException | RuntimeException writeFailed) {
      LOG.debug("cannot write the error response (trace {})", trace, writeFailed);
    }
  }

  private static String internalMessage(String trace) {
    return "internal error; the server log has the details under trace id " + trace;
  }

  static ObjectNode body(String code, String message, String trace) {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("code", code);
    error.put("message", message);
    error.put("trace_id", trace);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("error", error);
    return body;
  }

  private static void write(Context ctx, int status, String code, String message) {
    drainBody(ctx);
    Responses.json(ctx, status, body(code, message, TraceIds.of(ctx)));
  }

  /** The most of an unread request body read (and dropped) before an error answer. */
  static final int DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;

  /**
   * Reads the rest of the request body, up to {@link #DRAIN_LIMIT_BYTES}, before an error answer.
   *
   * <p>why: a request refused before its body was read (a session's stream, an unknown route, a
   * missing key) made Jetty close the connection while the client was still sending, and HTTP
   * clients (Java's HttpClient, httpx) then report a broken pipe instead of the answer: chaos
   * scenario 8 at full size lost 3 answers this way. Past the limit the connection is closed, as
   * before.
   */
  private static void drainBody(Context ctx) {
    try {
      InputStream in = ctx.req().getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long left = DRAIN_LIMIT_BYTES;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) != -1)
        left -= n;
    } catch (IOException | IllegalStateException | UnsupportedOperationException e) {
      // the body was already read (or the client went away): nothing to drain
    }
  }
}
