package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.Ids;
import dev.flowstore.OutboxMessage;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/outbox}: list messages by status (oldest first, keyset pages) and replay a failed one.
 * Messages are added only inside a Java transaction ({@code tx.outbox().add}), never over HTTP: the
 * outbox exists to commit a message with the change it announces.
 */
final class OutboxEndpoints {
  private final Flowstore flowstore;
  private final RequestScope scope;

  OutboxEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  /**
   * {@code ?status=pending|published|failed (default pending)&after=<message_id>&limit=}: {@code
   * {"messages": [...], "next_after": message_id | null}}.
   */
  void list(Context ctx) {
    String raw = QueryParams.string(ctx, "status");
    OutboxMessage.Status status =
        raw == null
            ? OutboxMessage.Status.PENDING
            : RecordsJson.parse("status", OutboxMessage.Status.class, raw);
    String after = QueryParams.string(ctx, "after");
    UUID afterId = after == null ? null : Ids.uuid("after", after);
    int limit =
        QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, EventStore.MAX_PAGE);
    List<OutboxMessage> page = flowstore.outbox(scope.tenant(ctx)).list(status, limit, afterId);
    ObjectNode body = RecordsJson.page("messages", page, MessagingJson::outboxMessage);
    if (page.size() < limit) body.putNull("next_after");
    else body.put("next_after", page.get(page.size() - 1).messageId().toString());
    Responses.json(ctx, 200, body);
  }

  /** FAILED -> PENDING, due now (422 UNPROCESSABLE for another status); the body is empty or {}. */
  void replay(Context ctx) {
    UUID id = Ids.uuid("message_id", ctx.pathParam("message_id"));
    BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), Set.of());
    Responses.json(
        ctx, 200, MessagingJson.outboxMessage(flowstore.outbox(scope.tenant(ctx)).replay(id)));
  }
}
