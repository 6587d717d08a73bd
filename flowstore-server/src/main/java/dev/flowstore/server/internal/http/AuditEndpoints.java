package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.internal.RecordValidation;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/**
 * {@code /v1/audit}: query the tenant's hash-chained audit log by resource and time, and verify the
 * chain. Entries are written by flowstore itself (the DLQ transitions) and by Java callers; there
 * is no HTTP route to append one.
 */
final class AuditEndpoints {
  private final Flowstore flowstore;
  private final RequestScope scope;

  AuditEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private AuditLog audit(Context ctx) {
    return flowstore.audit(scope.tenant(ctx));
  }

  /**
   * {@code ?resource_type=&resource_id=&from=&to=&after=<seq>&limit=}: entries oldest first with
   * {@code from <= created_at < to}; {@code {"entries": [...], "next_after": seq}}.
   */
  void list(Context ctx) {
    // why: checked here, or a U+0000 in a query would reach PostgreSQL as a 500
    String type =
        RecordValidation.text(
            "resource_type", QueryParams.string(ctx, "resource_type"), 200, false);
    String id =
        RecordValidation.text("resource_id", QueryParams.string(ctx, "resource_id"), 200, false);
    Instant from = QueryParams.instant(ctx, "from");
    Instant to = QueryParams.instant(ctx, "to");
    long after = QueryParams.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit =
        QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, EventStore.MAX_PAGE);
    List<AuditEntry> page = audit(ctx).list(new AuditLog.Query(type, id, from, to, after, limit));
    ObjectNode body = RecordsJson.page("entries", page, MessagingJson::auditEntry);
    body.put("next_after", page.isEmpty() ? after : page.get(page.size() - 1).seq());
    Responses.json(ctx, 200, body);
  }

  /**
   * Walks the whole chain: 200 with {@code {"ok", "checked", "first_bad_seq", "problem"}}, also
   * when it is broken (the answer is the report).
   */
  void verify(Context ctx) {
    Responses.json(ctx, 200, MessagingJson.verification(audit(ctx).verify()));
  }
}
