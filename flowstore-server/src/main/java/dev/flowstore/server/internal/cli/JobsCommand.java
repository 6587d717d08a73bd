package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flowstore jobs show ID}. */
public final class JobsCommand {
  private JobsCommand() {}

  /** The {@code jobs} group. */
  public static CommandLine group(CliContext ctx) {
    return CommandGroup.of("jobs", "Inspects jobs.", new Show(ctx));
  }

  /** A command that prints one job with its attempts ({@code jobs show}, {@code dlq show}). */
  abstract static class ShowJob extends OperatorCommand {
    @Parameters(paramLabel = "JOB_ID", description = "The job's id (a UUID).")
    UUID id;

    ShowJob(CliContext ctx) {
      super(ctx);
    }

    /** The job as the API answers it. */
    abstract ObjectNode fetch(OperatorSource source, UUID id);

    @Override
    final int run(OperatorSource source) {
      ObjectNode job = fetch(source, id);
      if (json()) printJson(job);
      else JobViews.detail(job, out(), colour());
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore jobs show JOB_ID}: the job, its attempts and its DLQ item. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Shows a job: where it is (status, queue, run_at, lease), every attempt with its outcome and error, and its DLQ item when it is dead-lettered.",
        "--json prints GET /v1/jobs/{job_id}'s answer."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  static final class Show extends ShowJob {
    Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    ObjectNode fetch(OperatorSource source, UUID id) {
      return source.job(id);
    }

    @Override
    String notFoundHint() {
      return "check the id: 'flowstore dlq list' lists dead-lettered jobs, and succeeded jobs are"
          + " deleted after JOB_RETENTION_HOURS";
    }
  }
}
