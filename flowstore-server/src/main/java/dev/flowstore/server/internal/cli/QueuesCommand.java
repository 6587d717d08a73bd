package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** {@code flowstore queues}: every queue of a tenant with its jobs by state. */
@Command(
    name = "queues",
    mixinStandardHelpOptions = true,
    description = {
      "Lists a tenant's queues that have jobs, with how many are ready, delayed, leased, succeeded and dead-lettered (DLQ).",
      "--json prints GET /v1/queues's answer."
    },
    footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
public final class QueuesCommand extends OperatorCommand {
  public QueuesCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  int run(OperatorSource source) {
    ObjectNode body = source.queues();
    if (json()) printJson(body);
    else {
      Table t = JobViews.queues(body);
      if (t.isEmpty()) out().println("No queue of " + options.tenantName(ctx) + " has jobs.");
      else t.print(out(), colour());
    }
    return ExitCodes.OK;
  }

  @Override
  String notFoundHint() {
    return "check --url: the server's base URL, like http://127.0.0.1:8080 (without /v1)";
  }
}
