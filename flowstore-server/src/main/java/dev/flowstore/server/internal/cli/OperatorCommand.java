package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * An operator command: opens its {@link OperatorSource} (a server or the backend), runs, closes it.
 * A flowstore error leaves as one line {@code flowstore: CODE: message; what to do next} with the
 * exit code {@link ExitCodes} gives its code.
 */
abstract class OperatorCommand implements Callable<Integer> {
  final CliContext ctx;

  @Mixin OperatorOptions options;

  @Spec CommandSpec spec;

  OperatorCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  /** Runs against {@code source}; returns the exit code. */
  abstract int run(OperatorSource source);

  /** The next step when an id of the command is unknown. */
  abstract String notFoundHint();

  @Override
  public final Integer call() {
    try (OperatorSource source = options.open(ctx)) {
      return run(source);
    } catch (FlowstoreException e) {
      throw explained(e);
    }
  }

  /** {@code e} with its code first and, where there is one, what to do next. */
  FlowstoreException explained(FlowstoreException e) {
    if (e.code() == ErrorCode.CONFIGURATION) return e;
    String next =
        switch (e.code()) {
          case NOT_FOUND ->
              "looked in "
                  + options.tenantName(ctx)
                  + " (another tenant's ids are not found: --tenant); "
                  + notFoundHint();
          case UNAUTHENTICATED ->
              options.hasApiKey(ctx)
                  ? "check the API key ('flowstore tenant keys NAME' lists a tenant's keys)"
                  : "give the tenant's API key in FLOWSTORE_API_KEY (or --api-key)";
          case BACKEND_UNAVAILABLE ->
              options.url(ctx) != null
                  ? null
                  : "check that the backend is up (FLOWSTORE_STORE_BACKEND, POSTGRES_DSN,"
                      + " REDIS_DSN) and retry";
          case INTERNAL ->
              options.url(ctx) != null
                  ? null
                  : "if an older flowstore made this database, 'flowstore migrate' brings its"
                      + " schema up to date (these commands never migrate)";
          default -> null;
        };
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith(e.code().name() + ": ")) return e;
    return new FlowstoreException(
        e.code(), e.code().name() + ": " + message + (next == null ? "" : "; " + next), e);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return options.json;
  }

  boolean colour() {
    return Terminal.colour(ctx.terminal(), ctx.env());
  }

  void printJson(JsonNode node) {
    try {
      out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
