package dev.flowstore;

import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;

/**
 * Which jobs {@link Queue#list} returns: one queue's jobs, newest first (by enqueue order {@link
 * Job#seq()}), optionally only one status and one job type, a page at a time.
 *
 * @param queue the queue (required)
 * @param status only jobs in this status, or null for all
 * @param jobType only jobs of this type, or null for all
 * @param beforeSeq only jobs enqueued before this one ({@link Job#seq()} of the last job of the
 *     previous page), or 0 for the first page
 * @param limit 1..{@link EventStore#MAX_PAGE}
 */
public record JobQuery(String queue, Job.Status status, String jobType, long beforeSeq, int limit) {
  /**
   * @throws FlowstoreException {@code INVALID_ID} for a bad queue name or job type; {@code
   *     INVALID_ARGUMENT} for a negative {@code beforeSeq} or a bad limit
   */
  public JobQuery {
    QueueValidation.queue(queue);
    if (jobType != null) RecordValidation.name("job_type", jobType);
    if (beforeSeq < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "before_seq must be 0 (first page) or more, got " + beforeSeq);
    RecordValidation.limit(limit);
  }

  /** The first page of a queue's jobs, all statuses and types. */
  public static JobQuery of(String queue, int limit) {
    return new JobQuery(queue, null, null, 0, limit);
  }
}
