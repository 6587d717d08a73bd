package dev.flowstore.server.internal.http;

import dev.flowstore.ApiKeys;
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
 * tenant is refused, unless the key's scope is {@code admin} (it may act for any tenant). A {@code
 * read} key is refused every write ({@code FORBIDDEN}, 403).
 *
 * <p>Whether keys exist is re-read at most every {@link #RECHECK}, so creating the first key while
 * the server runs locks dev mode within seconds; once keys were seen, the server stays locked until
 * restarted.
 */
public final class RequestScope {
  public static final String TENANT_HEADER = "X-Tenant-Id";
  private static final String CALLER = "flowstore.caller";
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

  /**
   * Resolves and remembers the request's tenant; throws UNAUTHENTICATED, INVALID_TENANT, or
   * FORBIDDEN for a write (any method but GET and HEAD) with a read-only key.
   */
  public void authenticate(Context ctx) {
    Caller caller = caller(ctx.header("Authorization"), ctx.header(TENANT_HEADER));
    String method = ctx.method().name();
    if (!caller.scope().canWrite() && !method.equals("GET") && !method.equals("HEAD")) {
      throw new FlowstoreException(
          ErrorCode.FORBIDDEN,
          "this API key is read-only (scope read): it cannot "
              + method
              + " "
              + ctx.path()
              + "; use a key of scope tenant (flowstore tenant create NAME --scope tenant)");
    }
    ctx.attribute(ATTRIBUTE, caller.tenant());
    ctx.attribute(CALLER, caller);
  }

  /**
   * Refuses with FORBIDDEN unless the request's key is an admin key (or the server is in dev mode):
   * for what changes every tenant at once, such as a collection's declaration.
   */
  public void requireAdmin(Context ctx, String what) {
    Caller caller = ctx.attribute(CALLER);
    if (caller == null || caller.scope() != ApiKeys.Scope.ADMIN)
      throw new FlowstoreException(
          ErrorCode.FORBIDDEN,
          "only an admin key may "
              + what
              + "; use a key of scope admin (flowstore tenant create NAME --scope admin), or the CLI (flowstore collections apply FILE)");
  }

  /**
   * Who a request acts as: the tenant and what it may do.
   *
   * @param keyId the API key's id, or null in embedded dev mode
   */
  public record Caller(TenantId tenant, ApiKeys.Scope scope, String keyId) {}

  /** Whether the server is open (embedded dev mode: loopback and no API key). */
  public boolean open() {
    return !keysRequired();
  }

  /**
   * The caller a secret key (or, in dev mode, none) stands for; {@code tenant} may name another
   * tenant than the key's only for an admin key.
   *
   * @throws FlowstoreException UNAUTHENTICATED, INVALID_TENANT
   */
  public Caller caller(String authorization, String tenantHeader) {
    if (!keysRequired())
      return new Caller(
          tenantHeader == null ? TenantId.DEFAULT : TenantId.of(tenantHeader),
          ApiKeys.Scope.ADMIN,
          null);
    if (authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.length() == 7) {
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED,
          "this server requires 'Authorization: Bearer <api key>' (create a key with: flowstore tenant create NAME)");
    }
    Optional<ApiKeys.Principal> key =
        flowstore.apiKeys().identify(authorization.substring(7).trim());
    if (key.isEmpty())
      throw new FlowstoreException(
          ErrorCode.UNAUTHENTICATED, "the API key matches no key of this server");
    ApiKeys.Principal p = key.get();
    if (tenantHeader == null || tenantHeader.equals(p.tenant().value()))
      return new Caller(p.tenant(), p.scope(), p.keyId());
    if (p.scope() == ApiKeys.Scope.ADMIN)
      return new Caller(TenantId.of(tenantHeader), p.scope(), p.keyId());
    throw new FlowstoreException(
        ErrorCode.UNAUTHENTICATED,
        "this key belongs to another tenant than the X-Tenant-Id header names");
  }

  /** The tenant {@link #authenticate} resolved for {@code ctx}, or null (not /v1, or refused). */
  static TenantId resolved(Context ctx) {
    return ctx.attribute(ATTRIBUTE);
  }

  /** The id of the API key {@link #authenticate} accepted for {@code ctx}, or null (dev mode). */
  String keyId(Context ctx) {
    Caller caller = ctx.attribute(CALLER);
    return caller == null ? null : caller.keyId();
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

  private boolean keysRequired() {
    if (!loopback || keysSeen) return true;
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) return false;
    keysSeen = flowstore.apiKeys().any();
    nextCheck = now.plus(RECHECK);
    return keysSeen;
  }
}
