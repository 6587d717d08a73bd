package dev.flowstore.spi;

import dev.flowstore.DlqItem;
import dev.flowstore.Job;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * DLQ items and their audit entries in the SQL store, for queue backends that keep jobs elsewhere
 * (the SQL store stays the truth for the dead-letter queue). Each write is one SQL transaction and
 * idempotent, so a backend can repeat a step after a crash without writing anything twice.
 */
public interface DeadLetterStore {
  /**
   * Puts the tenant on the SQL store's list of tenants ({@code Flowstore.tenants()}), in its own
   * transaction, if it is not there yet. The server's sweeper walks that list to end expired leases
   * and finish DLQ transitions, so a queue backend outside the database calls this before it first
   * stores a job of the tenant: otherwise a tenant that only uses that queue would never be swept.
   * Idempotent.
   */
  void registerTenant(TenantId tenant);

  /**
   * In one transaction: stores the job as dead-lettered (status failed) with its DLQ item (attempts
   * and last error from {@code job}) unless it already has one and, only when this call inserted
   * the item, appends the {@code job.dead_lettered} audit entry. Passes {@code
   * Faults.Point.DLQ_RECORD_BEFORE_COMMIT} before the commit.
   *
   * @return true when this call wrote the item and the audit entry
   */
  boolean record(TenantId tenant, Job job);

  /** The job's DLQ item, if it has one. */
  Optional<DlqItem> find(TenantId tenant, UUID jobId);

  /**
   * Items oldest first (keyset paging on created time, job id), as {@code DeadLetters.list}.
   *
   * @throws dev.flowstore.FlowstoreException {@code NOT_FOUND} when {@code afterJobId} has no item
   */
  List<DlqItem> list(TenantId tenant, String queue, UUID afterJobId, int limit);

  /**
   * In one transaction: deletes the job's item and, only when this call deleted it, appends an
   * audit entry {@code action} ({@code job.redriven}, {@code job.purged}) moving the job from
   * {@code failed} to {@code toStatus}.
   *
   * @return true when this call deleted the item
   */
  boolean remove(TenantId tenant, UUID jobId, String action, String toStatus);
}
