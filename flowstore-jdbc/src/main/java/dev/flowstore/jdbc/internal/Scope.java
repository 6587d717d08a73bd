package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;

/**
 * Where a store's SQL runs: either each call in a transaction of its own ({@link AutonomousScope}),
 * or every call inside one caller's transaction ({@link BoundScope}). The stores are written once
 * against this, and made once over it ({@link JdbcStores}).
 */
public interface Scope {
  TenantId tenant();

  JdbcFlowstore flowstore();

  /** Runs work that only reads. */
  <T> T read(SqlWork<T> work);

  /** Whether each call runs in a transaction of its own (not inside a caller's transaction). */
  default boolean ownsTransactions() {
    return false;
  }

  /** Runs work that writes. */
  <T> T write(SqlWork<T> work);
}
