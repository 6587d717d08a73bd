package dev.flowstore.server.internal.http;

import dev.flowstore.TenantId;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Everything the server observes about a request, in one place of the pipeline: {@link #begin} (the
 * first before-handler: the trace id, the OpenTelemetry server span, the log context), {@link
 * #wrap} (around each route's handler: the span is current while the handler and the store run, and
 * the log context gets the route and tenant) and {@link #end} (Javalin's request logger: the HTTP
 * metrics, the span's status and end).
 *
 * <p>The span continues the caller's W3C {@code traceparent} (the propagators of the installed
 * SDK); without an SDK it is the API's no-op and only the trace id is kept.
 */
public final class RequestObservation {
  private static final String SPAN = "flowstore.span";
  // why a logger of its own: FLOWSTORE_LOG_REQUESTS turns it on (LogFormat), OFF by default
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.flowstore.access");

  private final ServerMetrics metrics;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public RequestObservation(ServerMetrics metrics, OpenTelemetry telemetry) {
    this.metrics = metrics;
    this.tracer = telemetry.getTracer("dev.flowstore.server");
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
  }

  private static final TextMapGetter<Context> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
          return List.copyOf(ctx.headerMap().keySet());
        }

        @Override
        public String get(Context ctx, String key) {
          return ctx == null ? null : ctx.header(key);
        }
      };

  /** Before anything else of a request. */
  public void begin(Context ctx) {
    MDC.clear(); // why: a virtual thread is not reused, but a platform thread of a test could be
    Span span =
        tracer
            .spanBuilder(ctx.method().name())
            .setParent(propagator.extract(io.opentelemetry.context.Context.root(), ctx, HEADERS))
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", ctx.method().name())
            .setAttribute("url.path", ctx.path())
            .startSpan();
    ctx.attribute(SPAN, span);
    SpanContext sc = span.getSpanContext();
    String trace = TraceIds.of(ctx, () -> sc.isValid() ? sc.getTraceId() : TraceIds.generate());
    MDC.put("trace_id", trace);
  }

  /** {@code route}'s handler, run with its span current and the route and tenant in the MDC. */
  public Handler wrap(Route route) {
    Handler handler = route.handler();
    return ctx -> {
      MDC.put("route", route.path());
      TenantId tenant = RequestScope.resolved(ctx);
      if (tenant != null) MDC.put("tenant", tenant.value());
      Span span = ctx.attribute(SPAN);
      if (span == null) {
        handler.handle(ctx);
        return;
      }
      try (Scope ignored = span.makeCurrent()) {
        handler.handle(ctx);
      }
    };
  }

  /** Javalin's request logger: once per request, after its response is decided. */
  public void end(Context ctx, Float millis) {
    metrics.record(ctx, millis);
    if (ACCESS.isInfoEnabled())
      ACCESS.info(
          "{} {} {} {} ms",
          ctx.method().name(),
          QueryParams.shorten(ctx.path()),
          ctx.statusCode(),
          String.format(java.util.Locale.ROOT, "%.1f", millis));
    Span span = ctx.attribute(SPAN);
    if (span != null) {
      String route = ServerMetrics.route(ctx);
      int status = ctx.statusCode();
      if (!route.equals(ServerMetrics.UNMATCHED)) {
        span.updateName(ctx.method().name() + " " + route);
        span.setAttribute("http.route", route);
      }
      span.setAttribute("http.response.status_code", status);
      TenantId tenant = RequestScope.resolved(ctx);
      if (tenant != null) span.setAttribute("flowstore.tenant", tenant.value());
      if (status >= 500) span.setStatus(StatusCode.ERROR);
      span.end();
    }
    MDC.clear();
  }
}
