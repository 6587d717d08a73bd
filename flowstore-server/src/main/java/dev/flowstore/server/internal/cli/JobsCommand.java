package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowstore jobs show ID}. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Inspects jobs.")
public final class JobsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (show)");
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
  public static final class Show extends OperatorCommand {
    @Parameters(paramLabel = "JOB_ID", description = "The job's id (a UUID).")
    UUID id;

    public Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    int run(OperatorSource source) {
      ObjectNode job = source.job(id);
      if (json()) printJson(job);
      else JobViews.detail(job, out(), colour());
      return ExitCodes.OK;
    }

    @Override
    String notFoundHint() {
      return "check the id: 'flowstore dlq list' lists dead-lettered jobs, and succeeded jobs are"
          + " deleted after JOB_RETENTION_HOURS";
    }
  }
}
