package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventStore;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code flowstore dlq list|show|redrive|purge}: the dead-letter queue. Redrive and purge are in
 * {@link DlqActions}.
 */
public final class DlqCommand {
  static final String NOT_IN_DLQ =
      "check the id: 'flowstore dlq list' lists the dead-lettered jobs, 'flowstore jobs show ID'"
          + " shows a job wherever it is";

  private DlqCommand() {}

  /** The {@code dlq} group. */
  public static CommandLine group(CliContext ctx) {
    return CommandGroup.of(
        "dlq",
        "Inspects, redrives and purges the dead-letter queue (jobs that failed every attempt).",
        new ListItems(ctx),
        new Show(ctx),
        new DlqActions.Redrive(ctx),
        new DlqActions.Purge(ctx));
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
  static final class ListItems extends OperatorCommand {
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

    ListItems(CliContext ctx) {
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
                  "The DLQ of "
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
  static final class Show extends JobsCommand.ShowJob {
    Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    ObjectNode fetch(OperatorSource source, UUID id) {
      return source.dlqItem(id);
    }

    @Override
    String notFoundHint() {
      return NOT_IN_DLQ;
    }
  }
}
