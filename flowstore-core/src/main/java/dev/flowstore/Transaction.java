package dev.flowstore;

/**
 * One database transaction scoped to one tenant. Everything done through it commits together or not
 * at all. Valid only inside the callback that received it.
 */
public interface Transaction {
  TenantId tenant();

  /** The tenant's event store, joined to this transaction. */
  EventStore events();

  /** The tenant's records, joined to this transaction. */
  Records records();

  /** The tenant's flows, joined to this transaction. */
  Flows flows();

  /** The tenant's sessions, joined to this transaction. */
  Sessions sessions();

  /** The tenant's step log, joined to this transaction. */
  Steps steps();

  /** The tenant's checkpoints, joined to this transaction. */
  Checkpoints checkpoints();

  /** The tenant's node registry, joined to this transaction. */
  Nodes nodes();

  /** The tenant's async tasks, joined to this transaction. */
  Tasks tasks();

  /** The tenant's resume handles, joined to this transaction. */
  ResumeHandles resumeHandles();

  /** The tenant's command inbox, joined to this transaction. */
  Commands commands();

  /** The tenant's audit log, joined to this transaction. */
  AuditLog audit();

  /**
   * The tenant's job queues, joined to this transaction: an enqueue commits or rolls back with it,
   * and workers are woken only once it has committed.
   */
  Queue queue();

  /**
   * The tenant's outbox, joined to this transaction: messages commit with the change they announce.
   */
  Outbox outbox();

  /** The tenant's consumer de-duplication records, joined to this transaction. */
  ProcessedMessages processed();
}
