package dev.flowstore.server.internal.dashboard;

import dev.flowstore.ApiKeys;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.TraceIds;
import dev.flowstore.server.internal.http.WireJson;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The outbox (with retry of failed messages), the audit log with its chain check, tenants and keys.
 */
final class AdminPages {
  private static final int PAGE = QueuePages.PAGE;
  private static final Map<String, Duration> WINDOWS =
      Map.of("1h", Duration.ofHours(1), "24h", Duration.ofDays(1), "7d", Duration.ofDays(7));

  private final Flowstore flowstore;
  private final Views views;
  private final Clock clock;

  AdminPages(Flowstore flowstore, Views views, Clock clock) {
    this.flowstore = flowstore;
    this.views = views;
    this.clock = clock;
  }

  void outbox(Context ctx, Viewer viewer) {
    String s = QueuePages.blankToNull(ctx.queryParam("status"));
    OutboxMessage.Status status = outboxStatus(s == null ? "pending" : s);
    String after = QueuePages.blankToNull(ctx.queryParam("after"));
    List<OutboxMessage> messages =
        flowstore
            .outbox(viewer.tenant())
            .list(status, PAGE, after == null ? null : Params.uuid("after", after));
    views.render(
        ctx,
        200,
        viewer,
        "outbox",
        null,
        new Views.Model()
            .put("status", status.name().toLowerCase(Locale.ROOT))
            .put("messages", Views.maps(messages, WireJson::outboxMessage))
            .put("notice", ctx.queryParam("notice"))
            .put("next", messages.size() == PAGE ? messages.get(PAGE - 1).messageId() : null));
  }

  /** Retries one failed outbox message (FAILED -> PENDING), audited with the key that did it. */
  void retry(Context ctx, Viewer viewer) {
    UUID id = Params.uuid("message_id", String.valueOf(ctx.formParam("message_id")));
    flowstore.outbox(viewer.tenant()).replay(id);
    flowstore
        .audit(viewer.tenant())
        .append(
            new NewAuditEntry(
                viewer.actor(),
                "dashboard.outbox.retry",
                "outbox_message",
                id.toString(),
                TraceIds.of(ctx),
                null,
                null));
    String notice = "message " + id + " is pending again";
    ctx.redirect(
        "/ui/outbox?status=failed&notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8),
        HttpStatus.SEE_OTHER);
  }

  void audit(Context ctx, Viewer viewer) {
    String w = QueuePages.blankToNull(ctx.queryParam("window"));
    String window = w == null ? "24h" : w;
    Duration span = WINDOWS.get(window);
    if (span == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "window: '" + window + "' is not one of 1h, 24h, 7d");
    long after = Params.longParam(ctx, "after", 0);
    AuditLog log = flowstore.audit(viewer.tenant());
    List<AuditEntry> entries =
        log.list(new AuditLog.Query(null, null, clock.instant().minus(span), null, after, PAGE));
    boolean verify = "1".equals(ctx.queryParam("verify"));
    views.render(
        ctx,
        200,
        viewer,
        "audit",
        null,
        new Views.Model()
            .put("window", window)
            .put("entries", Views.maps(entries, WireJson::auditEntry))
            .put("verification", verify ? Views.map(WireJson.verification(log.verify())) : null)
            .put("next", entries.size() == PAGE ? entries.get(PAGE - 1).seq() : null));
  }

  void tenants(Context ctx, Viewer viewer) {
    List<TenantId> tenants =
        viewer.canChooseTenant() ? flowstore.tenants() : List.of(viewer.tenant());
    List<ApiKeys.Info> keys = flowstore.apiKeys().list(viewer.tenant());
    views.render(
        ctx,
        200,
        viewer,
        "tenants",
        null,
        new Views.Model()
            .put("tenants", tenants.stream().map(TenantId::value).toList())
            .put(
                "keys",
                keys.stream()
                    .map(
                        k ->
                            Map.of(
                                "key_id", k.keyId(),
                                "name", k.name(),
                                "scope", k.scope().wire(),
                                "created_at", k.createdAt().toString()))
                    .toList()));
  }

  private static OutboxMessage.Status outboxStatus(String s) {
    try {
      return OutboxMessage.Status.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "status: '" + s + "' is not one of pending, published, failed");
    }
  }
}
