package dev.flowstore.spi;

import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything a queue holds, job by job, for copying and comparing queues between backends ({@code
 * flowstore copy} / {@code compare} with a Redis queue on either side; docs/switching.md). The SQL
 * store provides it for its own tables, and a {@link QueueBackend} outside the database through
 * {@link QueueBackend#contents()}.
 *
 * <p>A job is written as it is: its state (queued, delayed, leased with its lease expiry and
 * fencing token, succeeded, dlq_pending / dlq_recorded / failed), its counters and times, and its
 * attempt history; {@link Job#seq()} orders it among the tenant's jobs (the target may number them
 * its own way, keeping that order).
 */
public interface QueueContents {
  /** One job and its attempt history, oldest attempt first. */
  record StoredJob(Job job, List<JobAttempt> attempts) {}

  /** The tenants that hold jobs here (each at most once, in no particular order). */
  List<TenantId> tenants();

  /** How many jobs the tenant holds. */
  long count(TenantId tenant);

  /**
   * The tenant's jobs in enqueue order ({@link Job#seq()}), handed over {@code batchSize} at a
   * time.
   */
  void read(TenantId tenant, int batchSize, Consumer<List<StoredJob>> batch);

  /**
   * Stores jobs of one tenant as they are, in one atomic step. A job already here (same id) is
   * replaced (SQL) or left as it is (a backend that cannot replace one atomically): either way,
   * writing the same jobs again (a resumed copy) stores each once.
   *
   * @return how many jobs were written
   */
  int write(TenantId tenant, List<StoredJob> jobs);

  /**
   * The mirror's write (docs/mirror.md): atomically for this call, each job of {@code current}
   * replaces the job with its id (or is added), with its attempt history, and the jobs {@code gone}
   * names are deleted. Writing the same again changes nothing.
   *
   * @return {jobs written, jobs deleted}
   * @throws dev.flowstore.FlowstoreException {@code UNPROCESSABLE} when this queue cannot be
   *     mirrored into
   */
  default int[] replace(TenantId tenant, List<StoredJob> current, List<java.util.UUID> gone) {
    throw new dev.flowstore.FlowstoreException(
        dev.flowstore.ErrorCode.UNPROCESSABLE,
        "the queue " + describe() + " cannot be mirrored into");
  }

  /**
   * Whether nothing is stored: no job of any tenant and no mark of a copy ({@link #copyMark}). For
   * the SQL store, whose tables the store's copy checks, always true.
   */
  boolean isEmpty();

  /**
   * The mark a copy into this queue left ({@code null}: none): the source it copied from and
   * whether it finished ({@code "<source>\n1"}). The SQL store keeps its own ({@code copy_runs})
   * and answers null.
   */
  default String copyMark() {
    return null;
  }

  /** Sets the mark {@link #copyMark} reads (does nothing for the SQL store). */
  default void markCopy(String source, boolean done) {}

  /** One line naming where the jobs are (no credentials). */
  String describe();
}
