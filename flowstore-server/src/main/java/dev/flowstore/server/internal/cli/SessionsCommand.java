package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code flowstore sessions show ID}. */
public final class SessionsCommand {
  static final int MAX_LIMIT = 1000;

  private SessionsCommand() {}

  /** The {@code sessions} group. */
  public static CommandLine group(CliContext ctx) {
    return CommandGroup.of("sessions", "Inspects sessions.", new Show(ctx));
  }

  /** {@code flowstore sessions show SESSION_ID [--limit N]}: the session and its timeline. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Shows a session and its timeline, oldest first: its events (every transition with its version, from and to state), step attempts (started, finished), checkpoints and resume handles (created, paused, resumed).",
        "--json prints {\"session\", \"events\", \"steps\", \"checkpoints\", \"resume_handles\"}, each as the HTTP API answers it (GET /v1/sessions/{id}, .../events, .../steps, .../checkpoints, /v1/resume-handles?session_id=)."
      },
      footer = {"", OperatorOptions.SOURCES, OperatorOptions.EXIT_CODES})
  static final class Show extends OperatorCommand {
    @Parameters(paramLabel = "SESSION_ID", description = "The session's id (a UUID).")
    UUID id;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "1000",
        description =
            "At most N of each: events (the first N), step attempts, checkpoints (the newest N),"
                + " resume handles; 1-"
                + MAX_LIMIT
                + " (default: ${DEFAULT-VALUE}).")
    int limit;

    Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    int run(OperatorSource source) {
      if (limit < 1 || limit > MAX_LIMIT)
        throw new ParameterException(
            spec.commandLine(), "--limit must be 1-" + MAX_LIMIT + ", got " + limit);
      ObjectNode session = source.session(id);
      ObjectNode all = Json.MAPPER.createObjectNode();
      all.set("session", session);
      all.set("events", source.sessionEvents(id, 0, limit).path("events"));
      all.set("steps", source.steps(id, limit).path("steps"));
      all.set("checkpoints", source.checkpoints(id, limit).path("checkpoints"));
      all.set("resume_handles", source.resumeHandles(id, limit).path("resume_handles"));
      for (String part : new String[] {"events", "steps", "checkpoints", "resume_handles"}) {
        JsonNode items = all.path(part);
        if (items.size() >= limit)
          err()
              .println(
                  "flowstore: showing "
                      + limit
                      + " "
                      + part.replace('_', ' ')
                      + "; there may be more (--limit, at most "
                      + MAX_LIMIT
                      + ")");
      }
      if (json()) printJson(all);
      else SessionTimeline.print(all, out(), colour());
      return ExitCodes.OK;
    }

    @Override
    String notFoundHint() {
      return "check the id";
    }
  }
}
