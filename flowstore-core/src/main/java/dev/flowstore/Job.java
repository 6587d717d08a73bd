package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * A job in a tenant's queue, as stored.
 *
 * @param jobId unique per tenant, stable for the job's whole life (also across redrives)
 * @param messageId the id of the current delivery lifecycle: new on enqueue and on every redrive
 * @param eventId the domain event that caused the job (consumers de-duplicate on it), or null
 * @param tenantId the tenant that owns it
 * @param traceId the request's trace id, or null
 * @param queue the queue it waits in
 * @param jobType what kind of work (a name-like id)
 * @param payload a JSON object
 * @param priority higher is leased first
 * @param runAt not leasable before this instant (delayed jobs, retry backoff)
 * @param attempt how many times it was leased since it was enqueued or last redriven
 * @param maxAttempts after this many failed attempts it goes to the DLQ
 * @param uniqueKey unique among the active jobs of the tenant's queue, or null
 * @param status where it is in its life; see {@link Status}
 * @param leaseToken the fencing token of the current (or last) lease: strictly increasing per job,
 *     never reset; 0 before the first lease
 * @param leaseExpiresAt when the current lease ends, or null when not leased
 * @param lastError the error of the last failed attempt, or null
 * @param seq enqueue order within the store (ties of priority and run_at are leased in this order)
 * @param createdAt when it was enqueued
 * @param updatedAt when it last changed
 * @param finishedAt when it reached SUCCEEDED or FAILED, or null
 */
public record Job(
    UUID jobId,
    UUID messageId,
    UUID eventId,
    TenantId tenantId,
    String traceId,
    String queue,
    String jobType,
    ObjectNode payload,
    int priority,
    Instant runAt,
    int attempt,
    int maxAttempts,
    String uniqueKey,
    Status status,
    long leaseToken,
    Instant leaseExpiresAt,
    String lastError,
    long seq,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt) {

  /** The message fields every backend carries (seed 001). */
  public JobMessage message() {
    return new JobMessage(messageId, eventId, jobId, tenantId, traceId, jobType, attempt);
  }

  /**
   * QUEUED -> LEASED -> SUCCEEDED, or back to QUEUED (nack with attempts left, expired lease,
   * release); after the last attempt LEASED -> DLQ_PENDING -> DLQ_RECORDED -> FAILED; a redrive
   * takes FAILED back to QUEUED. All but SUCCEEDED and FAILED are "active".
   */
  public enum Status {
    QUEUED,
    LEASED,
    SUCCEEDED,
    DLQ_PENDING,
    DLQ_RECORDED,
    FAILED;

    /** Active jobs hold their unique key. */
    public boolean active() {
      return this != SUCCEEDED && this != FAILED;
    }

    /** The stored and serialized form: {@code dlq_pending}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #wire()}. */
    public static Status fromWire(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }
  }
}
