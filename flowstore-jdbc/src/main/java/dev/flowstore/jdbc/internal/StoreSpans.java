package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.function.Supplier;

/**
 * One OpenTelemetry span per store transaction ({@code flowstore read}, {@code flowstore write}), a
 * child of whatever span is current (the server's HTTP span). Through the OpenTelemetry API only:
 * with no SDK installed (the default) the tracer is a no-op.
 */
final class StoreSpans {
  private static final String INSTRUMENTATION = "dev.flowstore.jdbc";

  private StoreSpans() {}

  static <T> T traced(String what, TenantId tenant, Dialect dialect, Supplier<T> work) {
    // why looked up per call: the server installs the SDK at start, after this class may be loaded
    Span span =
        GlobalOpenTelemetry.getOrNoop()
            .getTracer(INSTRUMENTATION)
            .spanBuilder("flowstore " + what)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("db.system.name", dialect.name())
            .setAttribute("flowstore.tenant", tenant.value())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return work.get();
    } catch (RuntimeException | Error e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      throw e;
    } finally {
      span.end();
    }
  }
}
