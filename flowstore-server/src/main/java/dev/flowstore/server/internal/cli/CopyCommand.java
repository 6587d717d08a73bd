package dev.flowstore.server.internal.cli;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.spi.BackendSwitch;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flowstore copy --from A --to B [--resume]}: see docs/switching.md. */
@Command(
    name = "copy",
    mixinStandardHelpOptions = true,
    description = {
      "Copies every table of every tenant from one SQL backend to another (SQLite <-> PostgreSQL, or between two databases of one kind): events with their ids, versions and positions, sessions and the rest of the workflow state, jobs in every state with the DLQ, outbox, idempotency keys, API keys and the audit chain.",
      "A deployment whose queue is on Redis (FLOWSTORE_QUEUE_BACKEND=redis) is named by its SQL store and its Redis queue: --from-queue / --to-queue. Its jobs (every state, with tokens, lease expiry and attempt history) are copied between the Redis queue and the SQL queue, either way, or Redis to Redis.",
      "The source is read in one consistent snapshot (freeze writes first: flowstore maintenance on); rows go in batches, each committed with its progress, so an interrupted copy continues with --resume. A target that is not empty is refused.",
      "Progress (rows/s, time left) goes to stderr; exit 0 when the copy is complete."
    })
public final class CopyCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "BACKEND",
      description = "The source: " + BackendSpec.FORMS + ".")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "BACKEND",
      description = "The target (migrated if needed): " + BackendSpec.FORMS + ".")
  String to;

  @Option(
      names = "--from-queue",
      paramLabel = "REDIS",
      description = "The source's queue, when it runs on Redis: " + BackendSpec.QUEUE_FORMS + ".")
  String fromQueue;

  @Option(
      names = "--to-queue",
      paramLabel = "REDIS",
      description =
          "The target's queue, to run on Redis (an empty Redis database or environment): "
              + BackendSpec.QUEUE_FORMS
              + ".")
  String toQueue;

  @Option(
      names = "--resume",
      description = "Continue the interrupted copy the target holds (from the same source).")
  boolean resume;

  @Option(
      names = "--batch-size",
      paramLabel = "ROWS",
      defaultValue = "10000",
      description = "Rows per target transaction (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Spec CommandSpec spec;

  public CopyCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BackendSwitch.CopyOptions options = new BackendSwitch.CopyOptions(resume, batchSize);
    try (Flowstore source =
            Flowstore.open(
                BackendSpec.config("--from", from, "--from-queue", fromQueue, ctx.env(), true));
        Flowstore target =
            Flowstore.open(
                BackendSpec.config("--to", to, "--to-queue", toQueue, ctx.env(), false))) {
      if (capturing(source))
        err.println(
            "flowstore: note: the source captures its changes for a mirror: writes after the"
                + " snapshot are carried by flowstore mirror run (docs/mirror.md)");
      else if (!frozen(source))
        err.println(
            "flowstore: note: the source is not in maintenance: writes after the snapshot are not"
                + " copied (freeze them with: flowstore maintenance on)");
      BackendSwitch.CopySummary s =
          BackendSwitch.find(source, target)
              .copy(
                  source, target, options, new CopyProgressPrinter(err, ctx.clock()), ctx.clock());
      s.warnings().forEach(w -> err.println("flowstore: warning: " + w));
      if (s.alreadyComplete()) {
        out.println("nothing to do: " + target.describe() + " holds a finished copy of the source");
        return ExitCodes.OK;
      }
      out.println(
          "copied "
              + s.rows()
              + " rows"
              + (s.rows() == s.total() ? "" : " (" + (s.total() - s.rows()) + " by an earlier run)")
              + " of "
              + s.tables()
              + " tables and "
              + s.tenants()
              + " tenants in "
              + s.elapsed().toMillis()
              + " ms: "
              + source.describe()
              + " -> "
              + target.describe());
      out.println(
          "check it with: flowstore compare "
              + from
              + " "
              + to
              + (fromQueue == null ? "" : " --queue-a " + fromQueue)
              + (toQueue == null ? "" : " --queue-b " + toQueue));
    }
    return ExitCodes.OK;
  }

  /** Whether the source's writes are frozen (false when it cannot tell: an older schema). */
  private static boolean frozen(Flowstore source) {
    try {
      return source.maintenance().state().on();
    } catch (FlowstoreException e) {
      return false;
    }
  }

  /** Whether the source logs its changes for a mirror (the copy that starts a window). */
  private static boolean capturing(Flowstore source) {
    try {
      return dev.flowstore.spi.Mirroring.find(source, source).state(source).on();
    } catch (dev.flowstore.FlowstoreException e) {
      return false; // nothing on the classpath mirrors this backend
    }
  }
}
