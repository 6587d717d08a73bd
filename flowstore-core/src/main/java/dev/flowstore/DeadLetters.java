package dev.flowstore;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A tenant's dead-letter queue: jobs that failed {@code max_attempts} times (status FAILED) with
 * their DLQ item. Get one from {@link Queue#deadLetters()}. Items of another tenant are {@code
 * NOT_FOUND}.
 */
public interface DeadLetters {
  /**
   * DLQ items, oldest first, a page at a time.
   *
   * @param queue only this queue, or null for all
   * @param afterJobId the last item of the previous page, or null for the first page
   * @param limit 1..{@link EventStore#MAX_PAGE}
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a bad limit; {@code INVALID_ID} for a
   *     bad queue name; {@code NOT_FOUND} when {@code afterJobId} is not in the DLQ
   */
  List<DlqItem> list(String queue, UUID afterJobId, int limit);

  /** The dead-lettered job with its attempt history, or empty when it is not in the DLQ. */
  Optional<JobDetail> inspect(UUID jobId);

  /**
   * Puts a dead-lettered job back in its queue: status QUEUED, due now, attempts reset to 0, a new
   * message_id, its DLQ item removed and a {@code job.redriven} audit entry written, in one
   * transaction. Fencing tokens keep growing, so no earlier lease can touch it.
   *
   * @throws FlowstoreException {@code NOT_FOUND} when the job is not in the DLQ; {@code
   *     UNPROCESSABLE} when an active job of the queue holds the same unique key
   */
  Job redrive(UUID jobId);

  /**
   * Deletes a dead-lettered job, its attempt history and its DLQ item, with a {@code job.purged}
   * audit entry.
   *
   * @throws FlowstoreException {@code NOT_FOUND} when the job is not in the DLQ
   */
  void purge(UUID jobId);

  /**
   * Purges every dead-lettered job of a queue (as {@link #purge}, one audit entry each).
   *
   * @return how many were purged
   * @throws FlowstoreException {@code INVALID_ID} for a bad queue name
   */
  int purgeQueue(String queue);
}
