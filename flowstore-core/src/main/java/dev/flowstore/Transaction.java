package dev.flowstore;

/**
 * One database transaction scoped to one tenant. Everything done through it commits together or not at
 * all. Valid only inside the callback that received it.
 */
public interface Transaction {
  TenantId tenant();

  /** The tenant's event store, joined to this transaction. */
  EventStore events();
}
