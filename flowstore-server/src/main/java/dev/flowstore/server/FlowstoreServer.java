package dev.flowstore.server;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.server.internal.dashboard.Dashboard;
import dev.flowstore.server.internal.http.ErrorResponses;
import dev.flowstore.server.internal.http.JettyErrors;
import dev.flowstore.server.internal.http.RequestObservation;
import dev.flowstore.server.internal.http.RequestScope;
import dev.flowstore.server.internal.http.Route;
import dev.flowstore.server.internal.http.Routes;
import dev.flowstore.server.internal.http.ServerMetrics;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * The HTTP API (v1) over an open {@link Flowstore}, on Javalin with virtual threads.
 *
 * <pre>{@code
 * try (Flowstore fs = Flowstore.open(config); FlowstoreServer server = FlowstoreServer.start(fs)) {
 *   System.out.println("listening on " + server.uri());
 * }
 * }</pre>
 *
 * <p>Tenancy: with no API key stored and a loopback bind (embedded dev mode) the tenant comes from
 * {@code X-Tenant-Id} (default {@code default}); otherwise every {@code /v1} request needs a bearer
 * key. Binding a non-loopback address while no key exists is refused: the API would be open to the
 * network.
 *
 * <p>Closing the server does not close the Flowstore: whoever opened it closes it.
 */
public final class FlowstoreServer implements AutoCloseable {
  private static final int RESPONSE_COPY_BUFFER = 4096;

  private final Javalin app;
  private final String host;
  private final ServerMetrics metrics;

  private FlowstoreServer(Javalin app, String host, ServerMetrics metrics) {
    this.app = app;
    this.host = host;
    this.metrics = metrics;
  }

  /** Starts on the host and port of {@code flowstore.config()}. */
  public static FlowstoreServer start(Flowstore flowstore) {
    FlowstoreConfig config = flowstore.config();
    return start(flowstore, config.httpHost(), config.httpPort());
  }

  /**
   * Starts on {@code host:port} (port 0 picks a free port; see {@link #port()}).
   *
   * @throws FlowstoreException {@code CONFIGURATION} when {@code host} is not loopback and no API
   *     key exists, or when the port is in use
   */
  public static FlowstoreServer start(Flowstore flowstore, String host, int port) {
    boolean loopback = FlowstoreConfig.isLoopback(host);
    if (!loopback && !flowstore.apiKeys().any()) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "FLOWSTORE_HTTP_HOST: "
              + host
              + " is reachable from the network but no API key exists, so anyone could read and write every tenant; create one first with: flowstore tenant create NAME (or bind 127.0.0.1)");
    }
    RequestScope scope = new RequestScope(flowstore, loopback, Clock.systemUTC());
    ServerMetrics metrics = new ServerMetrics(flowstore, Clock.systemUTC());
    metrics.bind(scope.maintenance());
    RequestObservation observation =
        new RequestObservation(metrics, io.opentelemetry.api.GlobalOpenTelemetry.getOrNoop());
    List<Route> routes = Routes.table(flowstore, scope, metrics);
    // why apart from Routes.table: the dashboard's HTML pages are not /v1 operations of
    // openapi.yaml
    List<Route> dashboard = Dashboard.routes(flowstore, scope, Clock.systemUTC());
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.concurrency.useVirtualThreads = true;
              config.http.prefer405over404 = true;
              // why: Javalin copies each result to the response through a buffer of this size,
              // allocated per request (Jetty's 32 KiB output buffer size by default): a third of
              // the server's allocation for small JSON answers; Jetty still aggregates the writes
              config.http.responseBufferSize = RESPONSE_COPY_BUFFER;
              config.jetty.host = host;
              config.jetty.port = port;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
              // metrics, spans, trace ids and log context: all in RequestObservation
              config.requestLogger.http(observation::end);
              config.routes.before(observation::begin);
              config.routes.before("/v1/*", scope::authenticate);
              config.routes.before("/v1/*", scope.maintenance()::check);
              routes.forEach(
                  r -> config.routes.addHttpHandler(r.method(), r.path(), observation.wrap(r)));
              dashboard.forEach(
                  r -> config.routes.addHttpHandler(r.method(), r.path(), observation.wrap(r)));
              ErrorResponses.register(config);
            });
    try {
      app.start();
    } catch (JavalinBindException e) {
      app.stop();
      metrics.close();
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "FLOWSTORE_HTTP_PORT: cannot listen on "
              + host
              + ":"
              + port
              + ", the port is in use (choose another with --port or FLOWSTORE_HTTP_PORT)",
          e);
    }
    return new FlowstoreServer(app, host, metrics);
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
  public URI uri() {
    String shown = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + shown + ":" + port());
  }

  @Override
  public void close() {
    try {
      app.stop();
    } finally {
      metrics.close();
    }
  }
}
