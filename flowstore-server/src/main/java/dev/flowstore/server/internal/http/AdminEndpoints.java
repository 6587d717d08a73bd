package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Maintenance;
import io.javalin.http.Context;
import java.util.Set;

/**
 * {@code /admin/maintenance}: the write freeze of every server on this database. Reading it is open
 * like {@code /health}; changing it is accepted from a loopback client only (an operator on the
 * host, or a proxy's admin route there): the flag is not a tenant's to set, and the API's keys are
 * tenants' keys.
 */
final class AdminEndpoints {
  private static final int MAX_REASON = 200;
  private static final Set<String> FIELDS = Set.of("enabled", "reason");

  private final Flowstore flowstore;
  private final MaintenanceGate gate;

  AdminEndpoints(Flowstore flowstore, MaintenanceGate gate) {
    this.flowstore = flowstore;
    this.gate = gate;
  }

  void maintenance(Context ctx) {
    Responses.json(ctx, 200, MaintenanceGate.json(flowstore.maintenance().state()));
  }

  void setMaintenance(Context ctx) {
    if (!loopback(ctx.req().getRemoteAddr()))
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED,
          "the maintenance switch answers clients on this host only: run 'flowstore maintenance on|off' there");
    JsonNode body = RequestBody.json(ctx, 4096);
    BodyFields b = BodyFields.of("body", body, FIELDS);
    JsonNode on = body.get("enabled");
    if (on == null || !on.isBoolean())
      throw BodyFields.invalid(
          "body.enabled: required, true (freeze writes) or false (lift the freeze)");
    String reason = b.string("reason");
    if (reason != null && (reason.isBlank() || reason.length() > MAX_REASON))
      throw BodyFields.invalid(
          "body.reason: 1-" + MAX_REASON + " characters, not blank (why writes are frozen)");
    Maintenance.State s =
        on.booleanValue()
            ? flowstore.maintenance().enable(reason == null ? "maintenance" : reason)
            : flowstore.maintenance().disable();
    gate.changed(s);
    Responses.json(ctx, 200, MaintenanceGate.json(s));
  }

  private static boolean loopback(String address) {
    return address != null
        && (address.startsWith("127.")
            || address.equals("::1")
            || address.equals("[::1]")
            || address.equals("0:0:0:0:0:0:0:1"));
  }
}
