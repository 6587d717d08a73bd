package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Command;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.Recorded;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/commands}: submit (a duplicate answers 200 with the existing command, not an error),
 * get, list a session's commands, and the transitions start (RECEIVED -> PROCESSING), complete and
 * fail.
 */
final class CommandsEndpoints {
  private static final Set<String> SUBMIT =
      Set.of("session_id", "command_type", "payload", "idempotency_key");

  private final Flowstore flowstore;
  private final RequestScope scope;

  CommandsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Commands commands(Context ctx) {
    return flowstore.commands(scope.tenant(ctx));
  }

  private long bodyLimit() {
    return flowstore.config().maxPayloadBytes() + 64L * 1024;
  }

  /** 201 with the new command, or 200 with the existing one and {@code duplicate: true}. */
  void submit(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), SUBMIT);
    UUID session = b.uuid("session_id");
    if (session == null) throw BodyFields.invalid("body.session_id: required");
    Recorded<Command> recorded =
        commands(ctx)
            .submit(
                session,
                b.requiredString("command_type"),
                b.object("payload"),
                b.string("idempotency_key"));
    ObjectNode body = RecordsJson.command(recorded.value());
    body.put("duplicate", recorded.duplicate());
    Responses.json(ctx, recorded.duplicate() ? 200 : 201, body);
  }

  void get(Context ctx) {
    UUID id = id(ctx);
    Command c =
        commands(ctx)
            .get(id)
            .orElseThrow(
                () -> new FlowstoreException(ErrorCode.NOT_FOUND, "command " + id + " not found"));
    Responses.json(ctx, 200, RecordsJson.command(c));
  }

  /** A session's commands, newest first; {@code session_id} is required. */
  void list(Context ctx) {
    String session = QueryParams.string(ctx, "session_id");
    if (session == null)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "session_id is required");
    String status = QueryParams.string(ctx, "status");
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(
        ctx,
        200,
        RecordsJson.page(
            "commands",
            commands(ctx)
                .list(
                    Ids.uuid("session_id", session),
                    status == null
                        ? null
                        : RecordsJson.parse("status", Command.Status.class, status),
                    limit),
            RecordsJson::command));
  }

  /** RECEIVED -> PROCESSING: a worker takes the command; of concurrent takers one wins. */
  void start(Context ctx) {
    UUID id = id(ctx);
    noFields(ctx);
    Responses.json(ctx, 200, RecordsJson.command(commands(ctx).startProcessing(id)));
  }

  /** PROCESSING -> COMPLETED; the body is empty or {}. */
  void complete(Context ctx) {
    UUID id = id(ctx);
    noFields(ctx);
    Responses.json(ctx, 200, RecordsJson.command(commands(ctx).complete(id)));
  }

  /** PROCESSING -> FAILED with {@code {"error": "..."}}. */
  void fail(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), Set.of("error"));
    Responses.json(
        ctx, 200, RecordsJson.command(commands(ctx).fail(id, b.requiredString("error"))));
  }

  private static void noFields(Context ctx) {
    BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), Set.of());
  }

  private static UUID id(Context ctx) {
    return Ids.uuid("command_id", ctx.pathParam("command_id"));
  }
}
