package dev.flowstore;

import java.time.Instant;
import java.util.UUID;

/**
 * A leased job: invisible to other consumers until {@code expiresAt}. Pass {@code token} to {@link
 * Queue#ack}, {@link Queue#nack}, {@link Queue#heartbeat} or {@link Queue#release}; once the job is
 * leased again (after the lease expired) the token is stale and those calls fail with {@code
 * LEASE_LOST}.
 *
 * @param job the job as leased (status LEASED, attempt already counted)
 * @param token the fencing token: strictly greater than every earlier token of this job
 * @param expiresAt when the job becomes leasable again unless acked, nacked or extended
 */
public record Lease(Job job, long token, Instant expiresAt) {
  public UUID jobId() {
    return job.jobId();
  }

  /** The delivered message (seed 001 fields). */
  public JobMessage message() {
    return job.message();
  }
}
