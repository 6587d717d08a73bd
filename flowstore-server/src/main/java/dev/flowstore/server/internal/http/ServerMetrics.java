package dev.flowstore.server.internal.http;

import dev.flowstore.Flowstore;
import dev.flowstore.MetricCounter;
import dev.flowstore.MetricGauge;
import dev.flowstore.MetricHistogram;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.DistributionSummary;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The server's metrics, one Prometheus registry per server: JVM basics, one histogram per HTTP
 * method, route template and status ({@code http_server_requests_seconds_*}), the store's own
 * counters, gauges and histograms ({@link Flowstore#metrics()}, {@link Flowstore#gauges()}, {@link
 * Flowstore#histograms()}), its queue and outbox state ({@link StoreGauges}) and job timings
 * ({@link JobTimings}). Routes are tagged by their path template, never the concrete path, so ids
 * don't explode the series. Every series is listed in docs/observability.md.
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
  private final List<MetricGauge> storeGauges;
  private final List<AutoCloseable> listening = new ArrayList<>();
  private final StoreGauges state;
  private final JobTimings jobs;
  private final Clock clock;

  // why these bounds: API calls take milliseconds; a lease that waits for work up to seconds
  private static final Duration[] HTTP_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  public ServerMetrics(Flowstore flowstore, Clock clock) {
    this.clock = clock;
    this.storeCounters = flowstore.metrics();
    this.storeGauges = flowstore.gauges();
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
    for (MetricGauge g : storeGauges) {
      Gauge.builder(g.name(), g.value(), v -> v.getAsDouble())
          .description(g.description())
          .tags(tags(g.tags()))
          .register(registry);
    }
    for (MetricHistogram h : flowstore.histograms()) {
      DistributionSummary summary =
          DistributionSummary.builder(h.name())
              .description(h.description())
              .tags(tags(h.tags()))
              .serviceLevelObjectives(
                  h.buckets().stream().mapToDouble(Double::doubleValue).toArray())
              .register(registry);
      listening.add(h.listen(summary::record));
    }
    this.state = new StoreGauges(flowstore, registry, clock);
    this.jobs = new JobTimings(registry);
  }

  private static List<io.micrometer.core.instrument.Tag> tags(java.util.Map<String, String> map) {
    return map.entrySet().stream()
        .map(e -> io.micrometer.core.instrument.Tag.of(e.getKey(), e.getValue()))
        .toList();
  }

  /** Job wait and duration timings (the queue endpoints report leases and outcomes). */
  JobTimings jobs() {
    return jobs;
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
        .serviceLevelObjectives(HTTP_BUCKETS)
        .register(registry);
  }

  /** The route template {@code ctx} matched, or {@code unmatched}. */
  static String route(Context ctx) {
    try {
      Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      return e == null ? UNMATCHED : e.path;
    } catch (RuntimeException e) {
      return UNMATCHED; // why: no route matched (404, 405): one series, not one per path
    }
  }

  /** {@code GET /metrics}: the Prometheus text format. */
  void scrape(Context ctx) {
    state.refreshIfStale();
    jobs.forgetOld(clock.instant());
    ctx.status(200)
        .contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(registry.scrape());
  }

  @Override
  public void close() {
    for (AutoCloseable l : listening) {
      try {
        l.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    gc.close();
    registry.close();
  }
}
