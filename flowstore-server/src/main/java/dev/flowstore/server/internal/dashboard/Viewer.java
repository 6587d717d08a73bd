package dev.flowstore.server.internal.dashboard;

import dev.flowstore.ApiKeys;
import dev.flowstore.TenantId;

/**
 * Who is looking at a page: the tenant the pages show, what the signed-in key may do, and the
 * session's CSRF token (every form posts it back).
 *
 * @param keyId the signed-in key, or null in embedded dev mode (no keys, loopback)
 */
record Viewer(TenantId tenant, ApiKeys.Scope scope, String keyId, String csrf) {
  /** Whether the viewer may act (redrive, purge, retry): not with a read-only key. */
  boolean canAct() {
    return scope.canWrite();
  }

  /** Whether the viewer may look at another tenant: an admin key, or dev mode. */
  boolean canChooseTenant() {
    return scope == ApiKeys.Scope.ADMIN;
  }

  /** The audit log's actor for the viewer's actions. */
  String actor() {
    return keyId == null ? "dashboard:dev-mode" : "dashboard:key:" + keyId;
  }
}
