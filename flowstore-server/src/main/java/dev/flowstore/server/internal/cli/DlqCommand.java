package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventStore;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flowstore dlq list|show|redrive|purge}: the dead-letter queue. Redrive and purge are in
 * {@link DlqActions}.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description =
        "Inspects, redrives and purges the dead-letter queue (jobs that failed every attempt).")
public final class DlqCommand implements Runnable {
  static final String NOT_IN_DLQ =
      "check the id: 'flowstore dlq list' lists the dead-lettered jobs, 'flowstore jobs show ID'"
          + " shows a job wherever it is";

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing required subcommand (list, show, redrive or purge)");
  }

  /** {@code flowstore dlq list [--queue Q] [--after ID] [--limit N]}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Lists dead-lettered jobs, oldest first, a page at a time (the next page's --after is printed on stderr).",
        "--json prints GET /v1/dlq's answer."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  public static final class ListItems extends OperatorCommand {
    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue's jobs.")
    String queue;

    @Option(
        names = "--after",
        paramLabel = "JOB_ID",
        description = "Start after this job (the last one of the previous page).")
    UUID after;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most N jobs, 1-" + EventStore.MAX_PAGE + " (default: ${DEFAULT-VALUE}).")
    int limit;

    public ListItems(CliContext ctx) {
      super(ctx);
    }

    @Override
    int run(OperatorSource source) {
      if (limit < 1 || limit > EventStore.MAX_PAGE)
        throw new ParameterException(
            spec.commandLine(), "--limit must be 1-" + EventStore.MAX_PAGE + ", got " + limit);
      ObjectNode page = source.dlqPage(queue, after, limit);
      if (json()) printJson(page);
      else {
        Table t = JobViews.dlqItems(page);
        if (t.isEmpty())
          out()
              .println(
                  "The DLQ of tenant "
                      + options.tenantName(ctx)
                      + (queue == null ? "" : " (queue " + queue + ")")
                      + " is empty"
                      + (after == null ? "." : " after " + after + "."));
        else t.print(out(), colour());
        String next = Table.text(page, "next_after");
        if (next != null) err().println("more: add --after " + next);
      }
      return ExitCodes.OK;
    }

    @Override
    String notFoundHint() {
      return "--after must name a job that is in the DLQ";
    }
  }

  /** {@code flowstore dlq show JOB_ID}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Shows a dead-lettered job with its DLQ item and every attempt's error.",
        "--json prints GET /v1/dlq/{job_id}'s answer."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  public static final class Show extends OperatorCommand {
    @Parameters(paramLabel = "JOB_ID", description = "The job's id (a UUID).")
    UUID id;

    public Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    int run(OperatorSource source) {
      ObjectNode job = source.dlqItem(id);
      if (json()) printJson(job);
      else JobViews.detail(job, out(), colour());
      return ExitCodes.OK;
    }

    @Override
    String notFoundHint() {
      return NOT_IN_DLQ;
    }
  }
}
