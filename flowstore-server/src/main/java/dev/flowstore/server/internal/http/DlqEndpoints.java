package dev.flowstore.server.internal.http;

import dev.flowstore.DeadLetters;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.Ids;
import dev.flowstore.internal.QueueValidation;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/dlq}: the dead-letter queue — list (oldest first, keyset pages), inspect with the
 * attempt history, redrive (back to its queue, attempts reset) and purge.
 */
final class DlqEndpoints {
  private final Flowstore flowstore;
  private final RequestScope scope;

  DlqEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private DeadLetters dlq(Context ctx) {
    return flowstore.queue(scope.tenant(ctx)).deadLetters();
  }

  /**
   * {@code ?queue=&after=<job_id>&limit=}: {@code {"items": [...], "next_after": job_id | null}}
   * ({@code null} on the last page).
   */
  void list(Context ctx) {
    String queue = QueryParams.string(ctx, "queue");
    if (queue != null) QueueValidation.queue(queue);
    String after = QueryParams.string(ctx, "after");
    UUID afterId = after == null ? null : Ids.uuid("after", after);
    int limit =
        QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, EventStore.MAX_PAGE);
    Responses.json(ctx, 200, ApiBodies.dlqPage(dlq(ctx), queue, afterId, limit));
  }

  /** The dead-lettered job with its attempt history and DLQ item; 404 when it is not in the DLQ. */
  void get(Context ctx) {
    Responses.json(ctx, 200, ApiBodies.dlqItem(dlq(ctx), id(ctx)));
  }

  /** Back to its queue, due now, attempts reset; the body is empty or {}. */
  void redrive(Context ctx) {
    UUID id = id(ctx);
    BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), Set.of());
    Responses.json(ctx, 200, ApiBodies.redrive(dlq(ctx), id));
  }

  /** Deletes the job, its history and its DLQ item: 204. */
  void purge(Context ctx) {
    UUID id = id(ctx);
    dlq(ctx).purge(id);
    ctx.status(204);
  }

  private static UUID id(Context ctx) {
    return Ids.uuid("job_id", ctx.pathParam("job_id"));
  }
}
