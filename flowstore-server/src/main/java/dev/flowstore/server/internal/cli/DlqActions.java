package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code flowstore dlq redrive|purge}: one id, several, or {@code --all} (of a {@code --queue}).
 * The jobs are chosen first (for {@code --all}, every page of the DLQ as it is now), confirmed when
 * there are several, then acted on one by one through the same calls as {@code POST
 * /v1/dlq/{id}/redrive} and {@code DELETE /v1/dlq/{id}}, so each writes its audit entry ({@code
 * job.redriven}, {@code job.purged}) as it does behind the API. A job that fails (gone meanwhile,
 * its unique key taken) is reported and the rest go on; an unreachable server or backend stops the
 * run at once.
 */
public final class DlqActions {
  private DlqActions() {}

  abstract static class Action extends OperatorCommand {
    @Parameters(
        arity = "0..*",
        paramLabel = "JOB_ID",
        description = "The dead-lettered jobs (UUIDs).")
    List<UUID> ids = new ArrayList<>();

    @Option(names = "--all", description = "Every dead-lettered job (of --queue, if given).")
    boolean all;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "With --all: only this queue.")
    String queue;

    @Option(
        names = {"-y", "--yes"},
        description =
            "Do not ask before acting on several jobs (needed for several jobs when there is"
                + " no terminal to ask on).")
    boolean yes;

    /** "redrive" or "purge". */
    private final String verb;

    /** "redriven" or "purged": the JSON field of the jobs done. */
    private final String done;

    Action(CliContext ctx, String verb, String done) {
      super(ctx);
      this.verb = verb;
      this.done = done;
    }

    /** Acts on one job; the JSON listed under {@link #done}. */
    abstract JsonNode act(OperatorSource source, UUID id);

    /** Prints the jobs done, as a table. */
    abstract void printDone(List<JsonNode> done);

    @Override
    final int run(OperatorSource source) {
      if (all == !ids.isEmpty())
        throw new ParameterException(
            spec.commandLine(), "give one or more JOB_IDs, or --all (not both)");
      if (queue != null && !all)
        throw new ParameterException(spec.commandLine(), "--queue goes with --all");
      List<UUID> targets = all ? everyDeadLetter(source) : List.copyOf(new LinkedHashSet<>(ids));
      if (targets.isEmpty()) {
        out()
            .println(
                "The DLQ of "
                    + options.tenantName(ctx)
                    + (queue == null ? "" : " (queue " + queue + ")")
                    + " is empty: nothing to "
                    + verb
                    + ".");
        return ExitCodes.OK;
      }
      if (targets.size() > 1 && !yes && !confirmed(targets.size())) {
        err().println("flowstore: cancelled: nothing was " + done + ".");
        return ExitCodes.FAILED;
      }
      List<JsonNode> succeeded = new ArrayList<>();
      ArrayNode failed = Json.MAPPER.createArrayNode();
      for (UUID id : targets) {
        try {
          succeeded.add(act(source, id));
        } catch (FlowstoreException e) {
          FlowstoreException explained = explained(e);
          if (stopsTheRun(e.code())) {
            // why report first: what was done before the stop must not be lost from the output
            report(succeeded, failed, targets.size());
            err()
                .println(
                    "flowstore: stopped after "
                        + (succeeded.size() + failed.size())
                        + " of "
                        + targets.size()
                        + " jobs; the rest were not tried:");
            throw explained;
          }
          err().println("flowstore: " + explained.getMessage());
          ObjectNode f = failed.addObject();
          f.put("job_id", id.toString());
          f.putObject("error").put("code", e.code().name()).put("message", e.getMessage());
        }
      }
      report(succeeded, failed, targets.size());
      return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** The jobs done and failed: JSON, or a table and a count line. */
    private void report(List<JsonNode> succeeded, ArrayNode failed, int chosen) {
      if (json()) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray(done).addAll(succeeded);
        body.set("failed", failed);
        printJson(body);
        return;
      }
      if (!succeeded.isEmpty()) printDone(succeeded);
      out()
          .println(
              capitalized(done)
                  + " "
                  + succeeded.size()
                  + " of "
                  + chosen
                  + (chosen == 1 ? " job" : " jobs")
                  + (failed.isEmpty() ? "." : "; " + failed.size() + " failed (see above)."));
    }

    @Override
    String notFoundHint() {
      return DlqCommand.NOT_IN_DLQ;
    }

    /** Every job in the DLQ now (of {@link #queue}), page by page. */
    private List<UUID> everyDeadLetter(OperatorSource source) {
      Set<UUID> found = new LinkedHashSet<>();
      UUID after = null;
      while (true) {
        ObjectNode page = source.dlqPage(queue, after, EventStore.MAX_PAGE);
        for (JsonNode item : page.path("items"))
          found.add(UUID.fromString(item.path("job_id").asText()));
        String next = Table.text(page, "next_after");
        if (next == null) return List.copyOf(found);
        after = UUID.fromString(next);
      }
    }

    /** Asks on the terminal; without one, refuses (exit 2) rather than act on many jobs unasked. */
    private boolean confirmed(int count) {
      String what =
          capitalized(verb)
              + " "
              + count
              + " dead-lettered jobs of "
              + options.tenantName(ctx)
              + (queue == null ? "" : " (queue " + queue + ")");
      if (!ctx.terminal().interactive())
        throw new FlowstoreException(
            ErrorCode.CONFIGURATION,
            "dlq "
                + verb
                + ": "
                + count
                + " jobs chosen and no terminal to confirm on; add --yes to "
                + verb
                + " them (nothing was "
                + done
                + ")");
      String answer = ctx.terminal().ask(what + "? [y/N] ");
      return answer != null && Set.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
    }

    private static boolean stopsTheRun(ErrorCode code) {
      return code == ErrorCode.BACKEND_UNAVAILABLE
          || code == ErrorCode.OUTCOME_UNKNOWN
          || code == ErrorCode.UNAUTHENTICATED
          || code == ErrorCode.INTERNAL;
    }

    private static String capitalized(String s) {
      return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
  }

  /** {@code flowstore dlq redrive (JOB_ID... | --all [--queue Q]) [--yes]}. */
  @Command(
      name = "redrive",
      mixinStandardHelpOptions = true,
      description = {
        "Puts dead-lettered jobs back in their queue: due now, attempts reset, a job.redriven audit entry each.",
        "Several jobs (or --all) are confirmed on the terminal first, unless --yes.",
        "--json prints {\"redriven\": [job, ...], \"failed\": [{\"job_id\", \"error\": {\"code\", \"message\"}}, ...]}, each job as POST /v1/dlq/{job_id}/redrive answers it."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  static final class Redrive extends Action {
    Redrive(CliContext ctx) {
      super(ctx, "redrive", "redriven");
    }

    @Override
    JsonNode act(OperatorSource source, UUID id) {
      return source.redrive(id);
    }

    @Override
    void printDone(List<JsonNode> done) {
      JobViews.jobs(done).print(out(), colour());
    }
  }

  /** {@code flowstore dlq purge (JOB_ID... | --all [--queue Q]) [--yes]}. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes dead-lettered jobs with their attempt history and DLQ item, a job.purged audit entry each.",
        "Several jobs (or --all) are confirmed on the terminal first, unless --yes.",
        "--json prints {\"purged\": [job_id, ...], \"failed\": [{\"job_id\", \"error\": {\"code\", \"message\"}}, ...]}."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  static final class Purge extends Action {
    Purge(CliContext ctx) {
      super(ctx, "purge", "purged");
    }

    @Override
    JsonNode act(OperatorSource source, UUID id) {
      source.purge(id);
      return Json.MAPPER.getNodeFactory().textNode(id.toString());
    }

    @Override
    void printDone(List<JsonNode> done) {
      Table t = new Table("PURGED_JOB_ID");
      done.forEach(id -> t.row(id.asText()));
      t.print(out(), colour());
    }
  }
}
