package dev.flowstore.server.internal.http;

import dev.flowstore.Checkpoint;
import dev.flowstore.Checkpoints;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.internal.RecordValidation;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/sessions/{session_id}/checkpoints}: save (append-only), list newest first, latest, get
 * one; and {@code /v1/checkpoints/resume?token=} to resolve a resume token.
 */
final class CheckpointsEndpoints {
  private static final Set<String> SAVE =
      Set.of("checkpoint_id", "parent_checkpoint_id", "data", "bytes", "metadata");

  private final Flowstore flowstore;
  private final RequestScope scope;

  CheckpointsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Checkpoints checkpoints(Context ctx) {
    return flowstore.checkpoints(scope.tenant(ctx));
  }

  /** data, metadata and base64 bytes (4/3 of the payload limit) each up to the payload limit. */
  private long bodyLimit() {
    return 4L * flowstore.config().maxPayloadBytes() + 64 * 1024;
  }

  /** 201 with the checkpoint; a retry of an identical save returns the stored one (also 201). */
  void save(Context ctx) {
    UUID session = session(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), SAVE);
    NewCheckpoint checkpoint =
        new NewCheckpoint(
            b.string("checkpoint_id"),
            b.string("parent_checkpoint_id"),
            b.object("data"),
            b.base64("bytes"),
            b.object("metadata"));
    Responses.json(ctx, 201, RecordsJson.checkpoint(checkpoints(ctx).save(session, checkpoint)));
  }

  void list(Context ctx) {
    UUID session = session(ctx);
    long before = QueryParams.longParam(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(ctx, 200, ApiBodies.checkpoints(checkpoints(ctx), session, before, limit));
  }

  void latest(Context ctx) {
    UUID session = session(ctx);
    Checkpoint c =
        checkpoints(ctx)
            .latest(session)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND, "session " + session + " has no checkpoint"));
    Responses.json(ctx, 200, RecordsJson.checkpoint(c));
  }

  void get(Context ctx) {
    UUID session = session(ctx);
    String id = RecordValidation.name("checkpoint_id", ctx.pathParam("checkpoint_id"));
    Checkpoint c =
        checkpoints(ctx)
            .get(session, id)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND,
                        "checkpoint '" + id + "' of session " + session + " not found"));
    Responses.json(ctx, 200, RecordsJson.checkpoint(c));
  }

  /** The checkpoint a resume token names, within the request's tenant only. */
  void resume(Context ctx) {
    String token = QueryParams.string(ctx, "token");
    if (token == null)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "token is required");
    Checkpoint c =
        checkpoints(ctx)
            .resume(token)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND, "the resume token names no checkpoint"));
    Responses.json(ctx, 200, RecordsJson.checkpoint(c));
  }

  private static UUID session(Context ctx) {
    return Ids.uuid("session_id", ctx.pathParam("session_id"));
  }
}
