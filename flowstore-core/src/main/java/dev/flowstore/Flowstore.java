package dev.flowstore;

import dev.flowstore.internal.Providers;
import dev.flowstore.spi.StorageProvider;
import java.time.Clock;
import java.util.List;

/**
 * The entry point: an open flowstore on one storage backend.
 *
 * <pre>{@code
 * try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromEnvironment())) {
 *   TenantId acme = TenantId.of("acme");
 *   fs.events(acme).append("order-42", ExpectedVersion.NO_STREAM, List.of(EventData.of("order.placed", payload)));
 *   fs.inTransaction(acme, tx -> tx.events().append(...));  // several stores, one commit
 * }
 * }</pre>
 *
 * Thread-safe; open one per process and share it.
 */
public interface Flowstore extends AutoCloseable {

  /**
   * Opens the backend named by {@link FlowstoreConfig#storeBackend()}, migrating its schema first
   * unless {@link FlowstoreConfig#migrateOnStart()} is false.
   *
   * @throws FlowstoreException {@code CONFIGURATION} for an unknown backend or a misconfigured
   *     database, {@code BACKEND_UNAVAILABLE} when it cannot be reached
   */
  static Flowstore open(FlowstoreConfig config) {
    return open(config, Clock.systemUTC());
  }

  /**
   * As {@link #open(FlowstoreConfig)}, with every timestamp and every "now" (leases, TTLs, backoff)
   * taken from {@code clock}: tests pass a clock they move instead of sleeping.
   */
  static Flowstore open(FlowstoreConfig config, Clock clock) {
    return Providers.find(
            StorageProvider.class,
            StorageProvider::name,
            "FLOWSTORE_STORE_BACKEND",
            config.storeBackend())
        .open(config, clock);
  }

  /** The tenant's event store; each call runs in its own transaction. */
  EventStore events(TenantId tenant);

  /** The tenant's records of the declared collections; each call runs in its own transaction. */
  Records records(TenantId tenant);

  /** The record collections' declarations, the same for every tenant. */
  Collections collections();

  /** The tenant's flow definitions; each call runs in its own transaction. */
  Flows flows(TenantId tenant);

  /** The tenant's sessions; each call runs in its own transaction. */
  Sessions sessions(TenantId tenant);

  /** The tenant's step log (node runs, idempotency); each call runs in its own transaction. */
  Steps steps(TenantId tenant);

  /** The tenant's session checkpoints; each call runs in its own transaction. */
  Checkpoints checkpoints(TenantId tenant);

  /** The tenant's node registry; each call runs in its own transaction. */
  Nodes nodes(TenantId tenant);

  /** The tenant's async tasks; each call runs in its own transaction. */
  Tasks tasks(TenantId tenant);

  /** The tenant's resume handles; each call runs in its own transaction. */
  ResumeHandles resumeHandles(TenantId tenant);

  /** The tenant's command inbox; each call runs in its own transaction. */
  Commands commands(TenantId tenant);

  /** The tenant's hash-chained audit log; each call runs in its own transaction. */
  AuditLog audit(TenantId tenant);

  /**
   * The tenant's job queues; each call runs in its own transaction. Use this instance (not {@link
   * Transaction#queue()}) for workers and {@link Queue#awaitWork}.
   */
  Queue queue(TenantId tenant);

  /** The tenant's transactional outbox; use {@link Transaction#outbox()} to add with a change. */
  Outbox outbox(TenantId tenant);

  /**
   * The tenant's consumer de-duplication records; use {@link Transaction#processed()} with a side
   * effect.
   */
  ProcessedMessages processed(TenantId tenant);

  /** The tenant's request idempotency keys (used by the HTTP server). */
  IdempotencyKeys idempotencyKeys(TenantId tenant);

  /** Tenants that may have outbox messages to publish (a relay visits only these). */
  List<TenantId> outboxTenants();

  /**
   * A counter that moves when an outbox message commits (in any tenant; on PostgreSQL in any
   * process, through NOTIFY). Read it before a relay round, then {@link #awaitOutboxSignal} with
   * the value: a message that commits in between is never missed.
   */
  long outboxSignal();

  /**
   * Waits until {@link #outboxSignal()} differs from {@code seen}, at most {@code timeout}.
   *
   * @return true when it moved, false on timeout
   */
  boolean awaitOutboxSignal(long seen, java.time.Duration timeout) throws InterruptedException;

  /**
   * Every tenant that has written through any store (an event, session, record, flow, node, task,
   * command, step, checkpoint, audit entry, processed message, job, outbox message, idempotency key
   * or resume handle), for workers that sweep all tenants (TTL, expiry) and the operator commands.
   * API keys alone do not register a tenant.
   */
  List<TenantId> tenants();

  /**
   * Runs {@code work} in one transaction scoped to {@code tenant} and commits it; if {@code work}
   * throws, the transaction rolls back and the exception propagates (checked ones wrapped as {@code
   * INTERNAL}).
   */
  <T> T inTransaction(TenantId tenant, TransactionWork<T> work);

  /**
   * API keys for the HTTP server (a table outside any tenant's scope, read before the tenant is
   * known).
   */
  ApiKeys apiKeys();

  /**
   * The write freeze every server on this database obeys (docs/switching.md). The library itself
   * does not refuse writes while it is on: the HTTP server does, and an embedded application that
   * wants the same checks {@link Maintenance#state()} itself.
   */
  Maintenance maintenance();

  /** Applies pending schema migrations (idempotent). */
  void migrate();

  /** Throws {@code BACKEND_UNAVAILABLE} unless the backend answers a probe query now. */
  void checkReady();

  /** One line naming the backend and where it stores data (no credentials). */
  String describe();

  /**
   * The store's counters (cache failures, Redis data-loss detections...), for the server's {@code
   * GET /metrics}; which ones exist depends on the configured backends. The list is fixed once the
   * store is open; each counter is read when it is scraped.
   */
  default List<MetricCounter> metrics() {
    return List.of();
  }

  /**
   * The store's gauges (connection pools...), for the server's {@code GET /metrics}; fixed once the
   * store is open, each read when it is scraped.
   */
  default List<MetricGauge> gauges() {
    return List.of();
  }

  /**
   * The store's histograms (group-commit batch sizes...), for the server's {@code GET /metrics}:
   * values are pushed to the listeners the server adds; fixed once the store is open.
   */
  default List<MetricHistogram> histograms() {
    return List.of();
  }

  FlowstoreConfig config();

  @Override
  void close();
}
