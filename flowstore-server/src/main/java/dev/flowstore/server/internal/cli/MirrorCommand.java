package dev.flowstore.server.internal.cli;

import com.sun.net.httpserver.HttpServer;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.spi.MirrorLoop;
import dev.flowstore.spi.Mirroring;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flowstore mirror capture on|off|status --from A} and {@code flowstore mirror run --from A
 * --to B}: the mirror of an observation window (docs/mirror.md).
 */
@Command(
    name = "mirror",
    mixinStandardHelpOptions = true,
    description = {
      "Keeps a secondary backend in step with a primary during an observation window: every write committed on the primary is carried to the secondary, in commit order, within seconds.",
      "Start a window: flowstore mirror capture on --from A; flowstore copy --from A --to B; flowstore mirror run --from A --to B. End it: flowstore mirror capture off --from A."
    })
public final class MirrorCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing required subcommand (capture or run)");
  }

  public static CommandLine group(CliContext ctx) {
    return new CommandLine(new MirrorCommand())
        .addSubcommand(new Capture(ctx))
        .addSubcommand(new Run(ctx));
  }

  /** {@code --from} and {@code --from-queue}: the primary, as both subcommands name it. */
  static final class Primary {
    @Option(
        names = "--from",
        required = true,
        paramLabel = "BACKEND",
        description = "The primary: " + BackendSpec.FORMS + ".")
    String from;

    @Option(
        names = "--from-queue",
        paramLabel = "REDIS",
        description =
            "The primary's queue, when it runs on Redis (FLOWSTORE_QUEUE_BACKEND=redis): "
                + BackendSpec.QUEUE_FORMS
                + ". Its jobs are captured and mirrored with the store.")
    String fromQueue;

    FlowstoreConfig config(CliContext ctx) {
      return BackendSpec.config("--from", from, "--from-queue", fromQueue, ctx.env(), true);
    }
  }

  static String lag(Mirroring.CaptureState s) {
    return s.pending()
        + " entries pending"
        + s.oldest()
            .map(d -> String.format(Locale.ROOT, ", the oldest %.1f s old", d.toMillis() / 1000.0))
            .orElse("");
  }

  /** {@code flowstore mirror capture on|off|status --from A}. */
  @Command(
      name = "capture",
      mixinStandardHelpOptions = true,
      description = {
        "on: the primary logs every committed write to a copied table (table, tenant and key) in the writer's own transaction, for the mirror to carry. Run it before the copy that starts the window.",
        "off: drops the capture and its log (writes cost nothing again). status: whether it is on, and the lag."
      })
  public static final class Capture implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "on|off|status", description = "What to do.")
    String what;

    @CommandLine.Mixin Primary primary;

    @Spec CommandSpec spec;

    public Capture(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!what.equals("on") && !what.equals("off") && !what.equals("status"))
        throw new ParameterException(spec.commandLine(), "on, off or status, not '" + what + "'");
      try (Flowstore primary = Flowstore.open(this.primary.config(ctx))) {
        Mirroring m = Mirroring.find(primary, primary);
        switch (what) {
          case "on" -> m.capture(primary, true);
          case "off" -> m.capture(primary, false);
          default -> {}
        }
        Mirroring.CaptureState s = m.state(primary);
        String queueArg =
            this.primary.fromQueue == null ? "" : " --from-queue " + this.primary.fromQueue;
        out.println(
            "capture: "
                + (s.on() ? "on" : "off")
                + " ("
                + primary.describe()
                + ")"
                + (s.on() ? ": " + lag(s) : ""));
        if (what.equals("on"))
          out.println(
              "next: flowstore copy --from "
                  + this.primary.from
                  + queueArg
                  + " --to <secondary>, then flowstore mirror run --from "
                  + this.primary.from
                  + queueArg
                  + " --to <secondary>");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore mirror run --from A --to B}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Carries the primary's logged changes to the secondary until stopped (Ctrl-C, SIGTERM): the current row of every changed key, in batches, each one secondary transaction. Either side down: it retries with backoff and catches up; nothing is lost, a primary write never fails because of it.",
        "The secondary must hold a finished copy of the primary (flowstore copy), taken after capture was switched on. Status lines go to stderr; --metrics-port serves Prometheus metrics."
      })
  public static final class Run implements Callable<Integer> {
    private final CliContext ctx;

    @CommandLine.Mixin Primary primary;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "BACKEND",
        description = "The secondary (a finished copy of the primary).")
    String to;

    @Option(
        names = "--to-queue",
        paramLabel = "REDIS",
        description =
            "The secondary's queue, when it runs on Redis: "
                + BackendSpec.QUEUE_FORMS
                + ". The primary's jobs go there (its store keeps the DLQ's jobs), as copy --to-queue leaves them.")
    String toQueue;

    @Option(
        names = "--batch-size",
        paramLabel = "ROWS",
        defaultValue = "1000",
        description =
            "Changed rows per secondary transaction, at most: change-log entries, a logged range"
                + " of events counting as its events (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
        names = "--poll",
        paramLabel = "DURATION",
        defaultValue = "200ms",
        converter = DurationConverter.class,
        description =
            "How often to look for changes unless behind (the last batch was full: the next follows at once) (default: 200 ms).")
    Duration poll;

    @Option(
        names = "--metrics-port",
        paramLabel = "PORT",
        description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics.")
    Integer metricsPort;

    @Option(
        names = "--status-every",
        paramLabel = "DURATION",
        defaultValue = "10s",
        converter = DurationConverter.class,
        description = "Print a status line to stderr this often (default: 10 s; 0: never).")
    Duration statusEvery;

    @Option(
        names = "--compare-every",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description =
            "While the lag is 0, compare both sides this often (like flowstore compare) and report the differing tables (flowstore_mirror_divergent_tables). A compare reads every row of both: choose minutes, not seconds.")
    Duration compareEvery;

    @Option(
        names = "--nice",
        paramLabel = "0-19",
        defaultValue = "19",
        description =
            "The mirror's CPU priority: the nice value of its threads, and of its scheduling group when it leads its own session (setsid, a systemd service). At 19 (the default) it takes only the CPU the servers on the machine leave, so it never slows them; while they saturate the CPU it falls behind and catches up after. 0 leaves its priority as started (default: ${DEFAULT-VALUE}).")
    int nice;

    @Option(
        names = "--until-caught-up",
        description =
            "Exit (0) as soon as the lag is 0, instead of running until stopped: the last drain before a switch, or a one-off catch-up.")
    boolean untilCaughtUp;

    @Spec CommandSpec spec;

    public Run(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      if (nice < 0 || nice > 19)
        throw new ParameterException(
            spec.commandLine(), "--nice: " + nice + " is not between 0 and 19");
      try (Flowstore primary = Flowstore.open(this.primary.config(ctx));
          Flowstore secondary =
              Flowstore.open(
                  BackendSpec.config("--to", to, "--to-queue", toQueue, ctx.env(), false))) {
        Mirroring m = Mirroring.find(primary, secondary);
        Mirroring.Link link = m.link(primary, secondary, batchSize);
        if (untilCaughtUp) return drain(link, err);
        String priority = nice == 0 ? "" : " at lower CPU priority: " + CpuPriority.lower(nice);
        MirrorLoop loop =
            new MirrorLoop(
                primary,
                secondary,
                link,
                poll,
                compareEvery,
                ctx.clock(),
                line -> {
                  synchronized (err) {
                    err.println("flowstore: " + line);
                    err.flush();
                  }
                });
        HttpServer metrics = metricsPort == null ? null : serve(loop, metricsPort);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
            new Thread(
                () -> {
                  loop.stop();
                  try {
                    finished.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService status = statusLines(loop, err);
        err.println(
            "flowstore: mirroring "
                + primary.describe()
                + " -> "
                + secondary.describe()
                + (metrics == null
                    ? ""
                    : " (metrics on http://0.0.0.0:" + metrics.getAddress().getPort() + "/metrics)")
                + priority);
        err.flush();
        try {
          // why: stops on SIGTERM / Ctrl-C (the hook), or when this thread is interrupted
          loop.run();
        } finally {
          if (status != null) status.shutdownNow();
          if (metrics != null) metrics.stop(0);
          finished.countDown();
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waits for finished
          }
        }
        if (loop.fatal() != null) throw loop.fatal();
        return ExitCodes.OK;
      }
    }

    /** Batches until a step finds nothing: the lag is 0. */
    private int drain(Mirroring.Link link, PrintWriter err) {
      long applied = 0;
      Instant start = ctx.clock().instant();
      try {
        for (Mirroring.Step s = link.step(); s.entries() > 0; s = link.step())
          applied += s.entries();
      } catch (FlowstoreException e) {
        err.println("flowstore: mirror: applied " + applied + " entries before failing");
        throw e;
      }
      spec.commandLine()
          .getOut()
          .println(
              "caught up: applied "
                  + applied
                  + " entries in "
                  + Duration.between(start, ctx.clock().instant()).toMillis()
                  + " ms; "
                  + lag(link.state()));
      return ExitCodes.OK;
    }

    private ScheduledExecutorService statusLines(MirrorLoop loop, PrintWriter err) {
      if (statusEvery.isZero() || statusEvery.isNegative()) return null;
      ScheduledExecutorService every =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("mirror-status").factory());
      long ms = statusEvery.toMillis();
      every.scheduleAtFixedRate(
          () -> {
            synchronized (err) {
              err.println("flowstore: " + status(loop));
              err.flush();
            }
          },
          ms,
          ms,
          TimeUnit.MILLISECONDS);
      return every;
    }
  }

  /** {@code 200ms}, {@code 10s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      String s = v.trim().toLowerCase(Locale.ROOT);
      if (s.startsWith("pt") || s.startsWith("p")) return Duration.parse(v.trim());
      if (s.equals("0")) return Duration.ZERO;
      if (s.endsWith("ms"))
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default ->
            throw new CommandLine.TypeConversionException(
                "'" + v + "' is not a duration (200ms, 10s, 5m, 1h)");
      };
    }
  }

  static String status(MirrorLoop loop) {
    return String.format(
        Locale.ROOT,
        "mirror: %d pending, lag %.1f s, applied %d entries (%d rows written, %d deleted), %d errors%s%s",
        loop.pending.get(),
        loop.lagMillis.get() / 1000.0,
        loop.appliedEntries.get(),
        loop.upsertedRows.get(),
        loop.deletedRows.get(),
        loop.errors.get(),
        loop.divergentTables.get() < 0
            ? ""
            : ", " + loop.divergentTables.get() + " differing tables at the last compare",
        loop.lastError.get() == null ? "" : " (failing: " + loop.lastError.get() + ")");
  }

  /** The loop's figures in Prometheus text format (docs/mirror.md, "Metrics"). */
  static String prometheus(MirrorLoop loop) {
    StringBuilder b = new StringBuilder();
    metric(
        b,
        "flowstore_mirror_pending_entries",
        "gauge",
        "change-log entries not yet applied to the secondary",
        loop.pending.get());
    metric(
        b,
        "flowstore_mirror_lag_seconds",
        "gauge",
        "age of the oldest pending entry",
        loop.lagMillis.get() / 1000.0);
    metric(
        b,
        "flowstore_mirror_applied_entries_total",
        "counter",
        "change-log entries applied",
        loop.appliedEntries.get());
    metric(
        b,
        "flowstore_mirror_upserted_rows_total",
        "counter",
        "rows written on the secondary",
        loop.upsertedRows.get());
    metric(
        b,
        "flowstore_mirror_deleted_rows_total",
        "counter",
        "rows deleted on the secondary",
        loop.deletedRows.get());
    metric(
        b,
        "flowstore_mirror_errors_total",
        "counter",
        "batches that failed (retried)",
        loop.errors.get());
    metric(
        b,
        "flowstore_mirror_up",
        "gauge",
        "1 when the last batch succeeded",
        loop.lastError.get() == null ? 1 : 0);
    metric(
        b,
        "flowstore_mirror_divergent_tables",
        "gauge",
        "tables (per tenant) that differed at the last conclusive compare, -1 before the first",
        loop.divergentTables.get());
    metric(b, "flowstore_mirror_compares_total", "counter", "compares run", loop.compares.get());
    return b.toString();
  }

  private static void metric(StringBuilder b, String name, String type, String help, Number v) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    b.append(name).append(' ').append(v).append('\n');
  }

  private static HttpServer serve(MirrorLoop loop, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = prometheus(loop).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
    return server;
  }
}
