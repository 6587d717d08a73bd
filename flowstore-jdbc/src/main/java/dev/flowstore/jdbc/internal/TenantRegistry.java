package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code tenants} table: the list that workers sweep (TTL, leases, DLQ recovery, key expiry)
 * and outbox relays poll. Tenant transactions register their own tenant; listing runs outside any
 * tenant ({@link Transactions#system}), because on PostgreSQL a tenant sees only its own row.
 *
 * <p>Why a class of its own: registering is on the hot path of every first write of a tenant, so it
 * remembers the tenants it has seen in a committed transaction, in a set bounded for a process that
 * sees many tenants come and go.
 */
final class TenantRegistry {
  // why: registerTenant's hot path is a set lookup; bounded (a miss costs one query), and only
  // tenants seen in a committed transaction go in
  private static final int KNOWN_TENANTS_MAX = 1024;
  private final Set<TenantId> knownTenants = ConcurrentHashMap.newKeySet();
  private final Transactions transactions;

  TenantRegistry(Transactions transactions) {
    this.transactions = transactions;
  }

  /**
   * Puts a tenant in the {@code tenants} table, inside the caller's transaction. Tenants are
   * remembered once that transaction has committed (a row seen inside a transaction that rolls back
   * may be its own, gone with it), so the hot path costs a set lookup.
   */
  void register(Connection c, TenantId tenant) throws SQLException {
    if (knownTenants.contains(tenant)) return;
    boolean present =
        Columns.one(
                c,
                "SELECT 1 FROM tenants WHERE tenant_id = ?",
                ps -> ps.setString(1, tenant.value()),
                rs -> true)
            .isPresent();
    if (!present)
      Columns.update(
          c,
          "INSERT INTO tenants (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING",
          ps -> ps.setString(1, tenant.value()));
    Transactions.afterCommit(() -> remember(tenant));
  }

  private void remember(TenantId tenant) {
    if (!knownTenants.add(tenant) || knownTenants.size() <= KNOWN_TENANTS_MAX) return;
    // over the cap: forget a quarter, any of them (a forgotten tenant costs one query next time)
    Iterator<TenantId> it = knownTenants.iterator();
    for (int i = 0; i < KNOWN_TENANTS_MAX / 4 && it.hasNext(); ) {
      if (!it.next().equals(tenant)) {
        it.remove();
        i++;
      }
    }
  }

  /** How many tenants {@link #register} remembers (tests: bounded). */
  int knownCount() {
    return knownTenants.size();
  }

  /** Every registered tenant. */
  List<TenantId> all() {
    return list("SELECT tenant_id FROM tenants ORDER BY tenant_id");
  }

  /** The tenants that have used the outbox (what relays poll). */
  List<TenantId> outboxUsers() {
    return list("SELECT tenant_id FROM tenants WHERE uses_outbox ORDER BY tenant_id");
  }

  private List<TenantId> list(String sql) {
    return transactions.system(
        c -> Columns.list(c, sql, ps -> {}, rs -> TenantId.of(rs.getString(1))));
  }
}
