package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A message in the transactional outbox.
 *
 * @param messageId the outbox row's id
 * @param eventId the id consumers de-duplicate on (the caller's, e.g. the event this announces, or
 *     the message id)
 * @param destination where the relay publishes it: {@code queue:<name>} (a job of type {@code
 *     headers.job_type}, default {@code outbox})
 * @param attempts publish attempts so far
 * @param nextAttemptAt when the relay may (re)try; while a relay holds it, the end of its claim
 * @param lastError the last publish failure, or null
 */
public record OutboxMessage(
    UUID messageId,
    UUID eventId,
    String destination,
    ObjectNode payload,
    ObjectNode headers,
    Status status,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    Instant createdAt,
    Instant publishedAt) {

  /** pending -> published | failed; failed -> pending again by {@link Outbox#replay}. */
  public enum Status {
    PENDING,
    PUBLISHED,
    FAILED
  }
}
