package dev.flowstore.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The queue's input checks, shared by every queue backend so they reject the same input with the
 * same codes, before anything is written.
 */
public final class QueueValidation {
  private static final Pattern QUEUE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");

  private QueueValidation() {}

  /** A job checked and serialized for storage. */
  public record ValidJob(NewJob job, ObjectNode payload, String payloadJson) {
    /**
     * The job as an enqueue stored it, built from the values it stored instead of read back:
     * QUEUED, attempt 0, no lease, created and updated {@code now}; {@code payload} as the store
     * gives it back.
     */
    public dev.flowstore.Job enqueued(
        java.util.UUID id,
        java.util.UUID messageId,
        dev.flowstore.TenantId tenant,
        ObjectNode payload,
        java.time.Instant runAt,
        long seq,
        java.time.Instant now) {
      return new dev.flowstore.Job(
          id,
          messageId,
          job.eventId(),
          tenant,
          job.traceId(),
          job.queue(),
          job.jobType(),
          payload,
          job.priority(),
          runAt,
          0,
          job.maxAttempts(),
          job.uniqueKey(),
          dev.flowstore.Job.Status.QUEUED,
          0,
          null,
          null,
          seq,
          now,
          now,
          null);
    }
  }

  /**
   * A queue name: 1-128 chars of letters, digits, '_', '.', '-', starting with a letter or digit
   * (it appears in URLs and Redis keys, so no '/' or ':').
   */
  public static String queue(String queue) {
    if (queue == null || !QUEUE.matcher(queue).matches()) {
      String shown =
          queue == null
              ? "null"
              : "'"
                  + (queue.length() > 80 ? queue.substring(0, 80) + "..." : queue)
                      .replace("\u0000", "\\u0000")
                  + "'";
      throw new FlowstoreException(
          ErrorCode.INVALID_ID,
          "queue: invalid name "
              + shown
              + ": use 1-128 chars of letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    return queue;
  }

  /** Checks one job; {@code maxPayloadBytes} is FLOWSTORE_MAX_PAYLOAD_BYTES. */
  public static ValidJob job(NewJob job, int maxPayloadBytes) {
    RecordValidation.required("job", job);
    queue(job.queue());
    RecordValidation.name("job_type", job.jobType());
    if (job.uniqueKey() != null) RecordValidation.name("unique_key", job.uniqueKey());
    RecordValidation.text("trace_id", job.traceId(), 200, false);
    if (job.maxAttempts() < 1 || job.maxAttempts() > Queue.MAX_ATTEMPTS_CAP)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "max_attempts must be 1.." + Queue.MAX_ATTEMPTS_CAP + ", got " + job.maxAttempts());
    ObjectNode payload =
        job.payload() == null ? JsonNodeFactory.instance.objectNode() : job.payload().deepCopy();
    String json = RecordValidation.json("payload", payload, maxPayloadBytes, true);
    return new ValidJob(job, payload, json);
  }

  /** Checks a batch: 1..{@link Queue#MAX_BATCH} jobs, each as {@link #job}. */
  public static List<ValidJob> batch(List<NewJob> jobs, int maxPayloadBytes) {
    RecordValidation.required("jobs", jobs);
    if (jobs.isEmpty() || jobs.size() > Queue.MAX_BATCH)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "jobs: a batch holds 1.." + Queue.MAX_BATCH + " jobs, got " + jobs.size());
    return jobs.stream().map(j -> job(j, maxPayloadBytes)).toList();
  }

  /** Checks a lease size: 1..{@link Queue#MAX_BATCH}. */
  public static int max(int max) {
    if (max < 1 || max > Queue.MAX_BATCH)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "max must be 1.." + Queue.MAX_BATCH + ", got " + max);
    return max;
  }

  /**
   * Checks the arguments of a retention purge ({@link Queue#purgeSucceeded}, {@code
   * Outbox.purgePublished}): a cutoff, and 1..{@link Queue#MAX_PURGE} rows.
   */
  public static void purge(String what, java.time.Instant before, int max) {
    RecordValidation.required(what, before);
    if (max < 1 || max > Queue.MAX_PURGE)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "max must be between 1 and " + Queue.MAX_PURGE + ", got " + max);
  }

  /** Checks a visibility timeout or heartbeat extension: more than 0, at most the cap. */
  public static Duration positive(String what, Duration d) {
    RecordValidation.required(what, d);
    if (d.isNegative() || d.isZero() || d.compareTo(Queue.MAX_DURATION) > 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          what + " must be more than 0 and at most " + Queue.MAX_DURATION + ", got " + d);
    return d;
  }

  /** Checks a retry delay: null (use the backoff), or 0..the cap. */
  public static Duration delay(Duration d) {
    if (d == null) return null;
    if (d.isNegative() || d.compareTo(Queue.MAX_DURATION) > 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "retry_delay must be 0.." + Queue.MAX_DURATION + ", got " + d);
    return d;
  }

  /** Checks a nack's error text. */
  public static String error(String error) {
    return RecordValidation.text("error", error, Queue.MAX_ERROR_CHARS, true);
  }
}
