package dev.flowstore.server;

import dev.flowstore.server.internal.cli.AuditCommand;
import dev.flowstore.server.internal.cli.CliContext;
import dev.flowstore.server.internal.cli.CollectionsCommand;
import dev.flowstore.server.internal.cli.CompareCommand;
import dev.flowstore.server.internal.cli.CopyCommand;
import dev.flowstore.server.internal.cli.DlqCommand;
import dev.flowstore.server.internal.cli.ExitCodes;
import dev.flowstore.server.internal.cli.ExportCommand;
import dev.flowstore.server.internal.cli.ImportCommand;
import dev.flowstore.server.internal.cli.JobsCommand;
import dev.flowstore.server.internal.cli.MaintenanceCommand;
import dev.flowstore.server.internal.cli.MigrateCommand;
import dev.flowstore.server.internal.cli.MirrorCommand;
import dev.flowstore.server.internal.cli.QueuesCommand;
import dev.flowstore.server.internal.cli.ServeCommand;
import dev.flowstore.server.internal.cli.ServeLifecycle;
import dev.flowstore.server.internal.cli.SessionsCommand;
import dev.flowstore.server.internal.cli.TenantCommand;
import dev.flowstore.server.internal.cli.Terminal;
import dev.flowstore.server.internal.cli.Version;
import dev.flowstore.server.internal.cli.VersionCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code flowstore} command: {@code serve}, {@code migrate}, {@code export}, {@code import},
 * {@code tenant}, {@code audit}, {@code copy}, {@code compare}, {@code maintenance}, {@code
 * mirror}, {@code version}; for operators {@code queues}, {@code jobs show}, {@code dlq
 * list|show|redrive|purge}, {@code sessions show}.
 *
 * <p>Exit codes: 0 success; 1 a flowstore error (or {@code audit verify} found the chain broken); 2
 * a usage error or bad configuration (one line on stderr naming the key); 3 the backend is
 * unavailable. Configuration comes from the environment map given to {@link #execute} (and {@code
 * flowstore.properties}), never from {@code System.getenv()} directly, so tests run commands
 * in-process with the environment they choose.
 */
@Command(
    name = "flowstore",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Durable persistence and messaging for workflow and AI-agent backends: server and tools.",
    footer = {
      "",
      "Configuration: FLOWSTORE_* and POSTGRES_* environment variables, or flowstore.properties (the environment wins)."
    })
public final class FlowstoreCli implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CliContext ctx =
        new CliContext(
            System.getenv(), Clock.systemUTC(), ServeLifecycle::onJvmShutdown, Terminal.system());
    System.exit(execute(args, ctx, out, err));
  }

  /** Runs a command with {@code env} as its environment; returns the exit code. */
  public static int execute(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return execute(
        args, new CliContext(env, Clock.systemUTC(), ServeLifecycle::onJvmShutdown), out, err);
  }

  /** Runs a command in {@code ctx}; returns the exit code. */
  public static int execute(String[] args, CliContext ctx, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(ctx);
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine(CliContext ctx) {
    CommandLine tenant =
        new CommandLine(new TenantCommand())
            .addSubcommand(new TenantCommand.Create(ctx))
            .addSubcommand(new TenantCommand.Keys(ctx))
            .addSubcommand(new TenantCommand.Revoke(ctx));
    CommandLine collections =
        new CommandLine(new CollectionsCommand())
            .addSubcommand(new CollectionsCommand.Apply(ctx))
            .addSubcommand(new CollectionsCommand.ListCollections(ctx));
    CommandLine audit =
        new CommandLine(new AuditCommand()).addSubcommand(new AuditCommand.Verify(ctx));
    CommandLine maintenance =
        new CommandLine(new MaintenanceCommand())
            .addSubcommand(new MaintenanceCommand.On(ctx))
            .addSubcommand(new MaintenanceCommand.Off(ctx))
            .addSubcommand(new MaintenanceCommand.Status(ctx));
    return new CommandLine(new FlowstoreCli())
        .addSubcommand(new ServeCommand(ctx))
        .addSubcommand(new MigrateCommand(ctx))
        .addSubcommand(new ExportCommand(ctx))
        .addSubcommand(new ImportCommand(ctx))
        .addSubcommand(tenant)
        .addSubcommand(audit)
        .addSubcommand(new CopyCommand(ctx))
        .addSubcommand(new CompareCommand(ctx))
        .addSubcommand(maintenance)
        .addSubcommand(MirrorCommand.group(ctx))
        .addSubcommand(new QueuesCommand(ctx))
        .addSubcommand(JobsCommand.group(ctx))
        .addSubcommand(DlqCommand.group(ctx))
        .addSubcommand(SessionsCommand.group(ctx))
        .addSubcommand(collections)
        .addSubcommand(new VersionCommand())
        .setExecutionExceptionHandler((e, cmd, parsed) -> ExitCodes.report(e, cmd.getErr()));
  }
}
