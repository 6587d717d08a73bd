package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A command in the inbox, as stored.
 *
 * @param commandId unique per tenant
 * @param sessionId the session it is for
 * @param commandType what it asks (a name-like id)
 * @param payload a JSON object
 * @param idempotencyKey the caller's key, unique per tenant, or null
 * @param status RECEIVED -> PROCESSING -> COMPLETED | FAILED
 * @param error why it FAILED, or null
 * @param createdAt when it was received
 * @param updatedAt when it last changed
 */
public record Command(
    UUID commandId,
    UUID sessionId,
    String commandType,
    ObjectNode payload,
    String idempotencyKey,
    Status status,
    String error,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * RECEIVED and PROCESSING are "active": at most one active command per (session, command type).
   */
  public enum Status {
    RECEIVED,
    PROCESSING,
    COMPLETED,
    FAILED;

    public boolean active() {
      return this == RECEIVED || this == PROCESSING;
    }
  }
}
