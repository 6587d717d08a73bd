package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.ResumeHandle;
import dev.flowstore.ResumeHandles;
import dev.flowstore.internal.RecordValidation;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/resume-handles}: create (PENDING_PAUSE), mark paused (by handle id: after an early
 * resume the handle is no longer waiting, so only its id still finds it), resume by correlation id
 * (exactly once), get, list by session or find the waiting handle of a correlation id.
 */
final class ResumeHandlesEndpoints {
  private static final Set<String> CREATE = Set.of("session_id", "correlation_id", "expires_at");

  private final Flowstore flowstore;
  private final RequestScope scope;

  ResumeHandlesEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private ResumeHandles handles(Context ctx) {
    return flowstore.resumeHandles(scope.tenant(ctx));
  }

  void create(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), CREATE);
    ResumeHandle h =
        handles(ctx)
            .create(
                b.uuid("session_id"), b.requiredString("correlation_id"), b.instant("expires_at"));
    Responses.json(ctx, 201, RecordsJson.handle(h));
  }

  /**
   * PENDING_PAUSE -> PAUSED; when a resume came first, the RESUMED handle with its payload (the
   * session continues with it instead of stopping). The body is empty or {}.
   */
  void markPaused(Context ctx) {
    UUID id = handleId(ctx);
    BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), Set.of());
    Responses.json(ctx, 200, RecordsJson.handle(handles(ctx).markPaused(id)));
  }

  /** The waiting handle of the correlation id becomes RESUMED with {@code payload}, once. */
  void resume(Context ctx) {
    String correlationId = RecordValidation.name("correlation_id", ctx.pathParam("correlation_id"));
    long limit = flowstore.config().maxPayloadBytes() + 64L * 1024;
    BodyFields b = BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, limit), Set.of("payload"));
    Responses.json(
        ctx, 200, RecordsJson.handle(handles(ctx).resume(correlationId, b.object("payload"))));
  }

  void get(Context ctx) {
    UUID id = handleId(ctx);
    ResumeHandle h =
        handles(ctx)
            .get(id)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND, "resume handle " + id + " not found"));
    Responses.json(ctx, 200, RecordsJson.handle(h));
  }

  /**
   * Exactly one of {@code session_id} (the session's handles, newest first) or {@code
   * correlation_id} (its waiting handle: a list of zero or one).
   */
  void list(Context ctx) {
    String session = QueryParams.string(ctx, "session_id");
    String correlation = QueryParams.string(ctx, "correlation_id");
    if ((session == null) == (correlation == null))
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "give exactly one of session_id and correlation_id");
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(
        ctx,
        200,
        session != null
            ? ApiBodies.resumeHandles(handles(ctx), Ids.uuid("session_id", session), limit)
            : RecordsJson.page(
                "resume_handles",
                handles(ctx).waiting(RecordValidation.name("correlation_id", correlation)).stream()
                    .toList(),
                RecordsJson::handle));
  }

  private static UUID handleId(Context ctx) {
    return Ids.uuid("handle_id", ctx.pathParam("handle_id"));
  }
}
