package dev.flowstore.server.internal.http;

import dev.flowstore.Flowstore;
import dev.flowstore.MetricCounter;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The server's metrics, one Prometheus registry per server: JVM basics, one timer per HTTP method,
 * route template and status ({@code http_server_requests_seconds_*}), and the store's own counters
 * ({@link Flowstore#metrics()}, e.g. {@code flowstore_cache_invalidation_failures_total}). Routes
 * are tagged by their path template, never the concrete path, so ids don't explode the series.
 */
public final class ServerMetrics implements AutoCloseable {
  static final String UNMATCHED = "unmatched";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  // why: Timer.builder(..).register(..) builds and sorts tags and looks the meter up on every
  // request; the handful of (method, route, status) series are kept here instead
  private final ConcurrentMap<Series, Timer> timers = new ConcurrentHashMap<>();
  // why: Micrometer holds a function counter's source weakly; without this the suppliers are
  // collected and the counters freeze
  private final List<MetricCounter> storeCounters;

  public ServerMetrics(Flowstore flowstore) {
    this.storeCounters = flowstore.metrics();
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    for (MetricCounter c : storeCounters) {
      FunctionCounter.builder(c.name(), c.count(), LongSupplier::getAsLong)
          .description(c.description())
          .register(registry);
    }
  }

  /** {@code flowstore_maintenance}: 1 while writes are frozen ({@link MaintenanceGate}), else 0. */
  public void bind(MaintenanceGate maintenance) {
    Gauge.builder("flowstore.maintenance", maintenance, g -> g.state().on() ? 1 : 0)
        .description("1 while writes are frozen for maintenance (flowstore maintenance on), else 0")
        .strongReference(true)
        .register(registry);
  }

  /** Javalin's request logger: called once per request, after its response is decided. */
  public void record(Context ctx, Float millis) {
    Series series = new Series(ctx.method().name(), route(ctx), ctx.statusCode());
    timers
        .computeIfAbsent(series, this::timer)
        .record(Duration.ofNanos((long) (millis * 1_000_000)));
  }

  private record Series(String method, String route, int status) {}

  private Timer timer(Series s) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests by method, route template and status")
        .tags("method", s.method(), "route", s.route(), "status", Integer.toString(s.status()))
        .register(registry);
  }

  private static String route(Context ctx) {
    try {
      Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      return e == null ? UNMATCHED : e.path;
    } catch (RuntimeException e) {
      return UNMATCHED; // why: no route matched (404, 405): one series, not one per path
    }
  }

  /** {@code GET /metrics}: the Prometheus text format. */
  void scrape(Context ctx) {
    ctx.status(200)
        .contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(registry.scrape());
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
