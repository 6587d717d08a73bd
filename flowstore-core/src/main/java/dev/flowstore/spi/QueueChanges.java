package dev.flowstore.spi;

import dev.flowstore.TenantId;
import dev.flowstore.spi.QueueContents.StoredJob;
import java.util.List;
import java.util.UUID;

/**
 * The change log of a queue kept outside the SQL store (the Redis queue), for the mirror of an
 * observation window (docs/mirror.md "The Redis queue"): while capture is on, every job a queue
 * operation changes or deletes is logged by id in the operation's own atomic step; {@link #take}
 * reads the oldest logged jobs with their current state, {@link #done} drops those entries unless
 * the job changed again meanwhile. As for the SQL store's log, what is carried is the job's current
 * state by id, so applying a taken batch twice changes nothing.
 *
 * <p>The caller names the tenants: the SQL store's tenant registry, where a queue outside it puts a
 * tenant before storing its first job. A tenant the log has not seen yet is taken up whole: every
 * job it holds is logged once (it may have changed before its first change was logged).
 */
public interface QueueChanges {
  /** A logged job: its current state, or {@code null} when it no longer exists. */
  record Change(UUID jobId, StoredJob current) {}

  /**
   * What {@link #take} read of one tenant: the changes, oldest logged first, and what {@link #done}
   * needs to drop exactly those entries.
   */
  record Batch(TenantId tenant, List<Change> changes, List<String> receipt) {}

  /**
   * Switches the log on (from when this returns, every change to a job is logged) or off (the log
   * is dropped).
   */
  void capture(boolean on, List<TenantId> tenants);

  /** Whether the log is on, and how many entries of these tenants wait (the lag). */
  Mirroring.CaptureState state(List<TenantId> tenants);

  /**
   * Up to {@code max} logged jobs of these tenants with their current state, per tenant, each
   * tenant's read in one atomic step.
   */
  List<Batch> take(int max, List<TenantId> tenants);

  /** Drops the entries of {@code batch}, except those of a job changed again since the take. */
  void done(Batch batch);
}
