package dev.flowstore.server.internal.cli;

import dev.flowstore.Flowstore;
import dev.flowstore.Maintenance;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flowstore maintenance on|off|status}: the write freeze of the configured database (every
 * server on it obeys within a second; docs/switching.md).
 */
@Command(
    name = "maintenance",
    mixinStandardHelpOptions = true,
    description =
        "Freezes writes on the configured database (every server on it answers them 503 MAINTENANCE, reads keep working), lifts the freeze, or shows it.")
public final class MaintenanceCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing required subcommand (on, off or status)");
  }

  static Maintenance.State with(CliContext ctx, Function<Maintenance, Maintenance.State> work) {
    try (Flowstore flowstore = Flowstore.open(ctx.config(Map.of()))) {
      return work.apply(flowstore.maintenance());
    }
  }

  static void print(PrintWriter out, Maintenance.State s) {
    out.println(
        s.on()
            ? "maintenance: on since " + s.since().orElseThrow() + " (" + s.reason() + ")"
            : "maintenance: off");
  }

  /** {@code flowstore maintenance on [--reason TEXT]}. */
  @Command(
      name = "on",
      mixinStandardHelpOptions = true,
      description =
          "Freezes writes: within a second every server on this database answers writes 503 MAINTENANCE with Retry-After; reads, health, metrics, DLQ inspection and audit verification keep working.")
  public static final class On implements Callable<Integer> {
    private final CliContext ctx;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        defaultValue = "maintenance",
        description = "Why, shown to clients in the 503 answer (default: ${DEFAULT-VALUE}).")
    String reason;

    @Spec CommandSpec spec;

    public On(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      print(spec.commandLine().getOut(), with(ctx, m -> m.enable(reason)));
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore maintenance off}. */
  @Command(name = "off", mixinStandardHelpOptions = true, description = "Lifts the write freeze.")
  public static final class Off implements Callable<Integer> {
    private final CliContext ctx;

    @Spec CommandSpec spec;

    public Off(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      print(spec.commandLine().getOut(), with(ctx, Maintenance::disable));
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore maintenance status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Shows whether writes are frozen.")
  public static final class Status implements Callable<Integer> {
    private final CliContext ctx;

    @Spec CommandSpec spec;

    public Status(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      print(spec.commandLine().getOut(), with(ctx, Maintenance::state));
      return ExitCodes.OK;
    }
  }
}
