package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A job to enqueue. Start from {@link #of} and add what differs from the defaults:
 *
 * <pre>{@code
 * NewJob.of("emails", "send_welcome", payload).withPriority(10).withUniqueKey("welcome-" + userId)
 * }</pre>
 *
 * @param queue the queue: 1-128 chars of letters, digits, '_', '.', '-', starting with a letter or
 *     digit
 * @param jobType what kind of work (a name-like id)
 * @param payload a JSON object (null for {}), at most FLOWSTORE_MAX_PAYLOAD_BYTES
 * @param priority higher is leased first (default 0)
 * @param runAt not leasable before this instant; null for now
 * @param maxAttempts 1..{@link Queue#MAX_ATTEMPTS_CAP} (default {@link Queue#DEFAULT_MAX_ATTEMPTS})
 * @param uniqueKey unique among the active jobs of this tenant's queue, or null
 * @param traceId the request's trace id, or null
 * @param eventId the domain event that caused the job, or null
 */
public record NewJob(
    String queue,
    String jobType,
    ObjectNode payload,
    int priority,
    Instant runAt,
    int maxAttempts,
    String uniqueKey,
    String traceId,
    UUID eventId) {

  /** A job with priority 0, run now, the default max attempts, no unique key, trace or event. */
  public static NewJob of(String queue, String jobType, ObjectNode payload) {
    return new NewJob(
        queue, jobType, payload, 0, null, Queue.DEFAULT_MAX_ATTEMPTS, null, null, null);
  }

  public NewJob withPriority(int priority) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }

  public NewJob withRunAt(Instant runAt) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }

  public NewJob withMaxAttempts(int maxAttempts) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }

  public NewJob withUniqueKey(String uniqueKey) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }

  public NewJob withTraceId(String traceId) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }

  public NewJob withEventId(UUID eventId) {
    return new NewJob(
        queue, jobType, payload, priority, runAt, maxAttempts, uniqueKey, traceId, eventId);
  }
}
