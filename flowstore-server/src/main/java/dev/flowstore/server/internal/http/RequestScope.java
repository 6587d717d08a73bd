package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides which tenant a request acts for.
 *
 * <p>Embedded dev mode (the server binds loopback only and no API key exists): the tenant is the
 * {@code X-Tenant-Id} header, or {@code default}. Otherwise every request needs {@code
 * Authorization: Bearer <key>} and acts for the key's tenant; an {@code X-Tenant-Id} naming another
 * tenant is refused.
 *
 * <p>Whether keys exist is re-read at most every {@link #RECHECK}, so creating the first key while
 * the server runs locks dev mode within seconds; once keys were seen, the server stays locked until
 * restarted.
 */
public final class RequestScope {
  public static final String TENANT_HEADER = "X-Tenant-Id";
  static final Duration RECHECK = Duration.ofSeconds(2);
  private static final String ATTRIBUTE = "flowstore.tenant";

  private final Flowstore flowstore;
  private final boolean loopback;
  private final Clock clock;
  private final MaintenanceGate maintenance;
  private volatile boolean keysSeen;
  private volatile Instant nextCheck = Instant.EPOCH;

  public RequestScope(Flowstore flowstore, boolean loopback, Clock clock) {
    this.flowstore = flowstore;
    this.loopback = loopback;
    this.clock = clock;
    this.maintenance = new MaintenanceGate(flowstore, clock);
  }

  /** The write freeze this server obeys. */
  public MaintenanceGate maintenance() {
    return maintenance;
  }

  /** Resolves and remembers the request's tenant; throws UNAUTHENTICATED or INVALID_TENANT. */
  public void authenticate(Context ctx) {
    ctx.attribute(ATTRIBUTE, resolve(ctx.header("Authorization"), ctx.header(TENANT_HEADER)));
  }

  /** The tenant {@link #authenticate} resolved for {@code ctx}, or null (not /v1, or refused). */
  static TenantId resolved(Context ctx) {
    return ctx.attribute(ATTRIBUTE);
  }

  /** The tenant {@link #authenticate} resolved for {@code ctx}. */
  public TenantId tenant(Context ctx) {
    TenantId tenant = ctx.attribute(ATTRIBUTE);
    if (tenant == null)
      throw new IllegalStateException(
          "no tenant resolved for " + ctx.path() + ": the /v1 before-handler did not run");
    return tenant;
  }

  /** The server's clock (for times a request gives relative to now, like {@code delay_s}). */
  Clock clock() {
    return clock;
  }

  TenantId resolve(String authorization, String tenantHeader) {
    if (!keysRequired()) return tenantHeader == null ? TenantId.DEFAULT : TenantId.of(tenantHeader);
    if (authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.length() == 7) {
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED,
          "this server requires 'Authorization: Bearer <api key>' (create a key with: flowstore tenant create NAME)");
    }
    Optional<TenantId> tenant = flowstore.apiKeys().authenticate(authorization.substring(7).trim());
    if (tenant.isEmpty())
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED, "the API key matches no key of this server");
    if (tenantHeader != null && !tenantHeader.equals(tenant.get().value())) {
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED,
          "this key belongs to another tenant than the X-Tenant-Id header names");
    }
    return tenant.get();
  }

  private boolean keysRequired() {
    if (!loopback || keysSeen) return true;
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) return false;
    keysSeen = flowstore.apiKeys().any();
    nextCheck = now.plus(RECHECK);
    return keysSeen;
  }
}
