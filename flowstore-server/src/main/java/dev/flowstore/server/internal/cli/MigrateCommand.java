package dev.flowstore.server.internal.cli;

import dev.flowstore.Flowstore;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flowstore migrate}. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Applies pending schema migrations to the configured backend (idempotent).")
public final class MigrateCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Spec CommandSpec spec;

  public MigrateCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    // why: open without migrating so the migration runs once, explicitly, here
    try (Flowstore flowstore =
        Flowstore.open(ctx.config(Map.of("FLOWSTORE_MIGRATE_ON_START", "false")))) {
      flowstore.migrate();
      spec.commandLine().getOut().println("schema is up to date: " + flowstore.describe());
    }
    return ExitCodes.OK;
  }
}
