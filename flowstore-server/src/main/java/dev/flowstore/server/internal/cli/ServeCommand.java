package dev.flowstore.server.internal.cli;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.OutboxRelay;
import dev.flowstore.server.FlowstoreServer;
import dev.flowstore.server.internal.observe.LogFormat;
import dev.flowstore.server.internal.observe.Telemetry;
import dev.flowstore.server.internal.workers.Sweeper;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flowstore serve}: the HTTP API until SIGTERM, with its workers: the outbox relay (every
 * OUTBOX_POLL_INTERVAL_MS) and the sweeper (TTLs, expired leases, DLQ recovery, idempotency keys).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the HTTP API until stopped (SIGTERM or Ctrl-C), with the outbox relay and the sweeper (TTLs, expired job leases, DLQ recovery, idempotency keys).",
      "Configuration comes from the environment and flowstore.properties; with none, it serves SQLite in ./data on 127.0.0.1:8080."
    })
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(5);

  private final CliContext ctx;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Address to bind (overrides FLOWSTORE_HTTP_HOST, default 127.0.0.1).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "Port to listen on, 0 for any free one (overrides FLOWSTORE_HTTP_PORT, default 8080).")
  Integer port;

  @Option(
      names = "--no-migrate",
      description =
          "Do not apply pending schema migrations on start (FLOWSTORE_MIGRATE_ON_START=false).")
  boolean noMigrate;

  public ServeCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> overrides = new HashMap<>();
    if (host != null) overrides.put("FLOWSTORE_HTTP_HOST", host);
    if (port != null) overrides.put("FLOWSTORE_HTTP_PORT", port.toString());
    if (noMigrate) overrides.put("FLOWSTORE_MIGRATE_ON_START", "false");
    FlowstoreConfig config = ctx.config(overrides);
    LogFormat.apply(ctx.env());
    // why before the store opens: the store's spans look the global tracer up
    if (Telemetry.install(ctx.env())) LOG.info("OpenTelemetry tracing on (OTEL_* environment)");
    ServeLifecycle lifecycle = ctx.lifecycle().get();
    try (Flowstore flowstore = Flowstore.open(config);
        OutboxRelay relay =
            OutboxRelay.start(flowstore, Duration.ofMillis(config.outboxPollIntervalMs()));
        Sweeper sweeper = Sweeper.start(flowstore, Clock.systemUTC(), SWEEP_INTERVAL);
        FlowstoreServer server = FlowstoreServer.start(flowstore)) {
      LOG.info(
          "flowstore {} listening on {} ({})", Version.get(), server.uri(), flowstore.describe());
      lifecycle.started(server.uri());
      lifecycle.awaitStop();
      LOG.info("flowstore stopping");
    } finally {
      lifecycle.closed();
    }
    return ExitCodes.OK;
  }
}
