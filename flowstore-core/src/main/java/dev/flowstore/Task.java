package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An asynchronous task: long-running outside work a session waits for, as stored.
 *
 * @param taskId unique per tenant
 * @param taskType what kind of work (a name-like id)
 * @param sessionId the session it belongs to, or null
 * @param status where it is; see {@link Status#canBecome}
 * @param progress 0.00..100.00, two decimal places
 * @param result a JSON object once COMPLETED, or null
 * @param error why it FAILED, or null
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param startedAt when it went RUNNING, or null
 * @param completedAt when it reached COMPLETED, FAILED or CANCELLED, or null
 */
public record Task(
    UUID taskId,
    String taskType,
    UUID sessionId,
    Status status,
    BigDecimal progress,
    ObjectNode result,
    String error,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant completedAt) {

  /**
   * PENDING -> RUNNING | CANCELLED; RUNNING -> COMPLETED | FAILED | CANCELLED; the last three are
   * final.
   */
  public enum Status {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    /** Whether a task in this status may move to {@code to}. */
    public boolean canBecome(Status to) {
      return switch (this) {
        case PENDING -> to == RUNNING || to == CANCELLED;
        case RUNNING -> to == COMPLETED || to == FAILED || to == CANCELLED;
        default -> false;
      };
    }

    /** The statuses a task may move to {@code to} from. */
    public static Set<Status> from(Status to) {
      return switch (to) {
        case RUNNING -> Set.of(PENDING);
        case COMPLETED, FAILED -> Set.of(RUNNING);
        case CANCELLED -> Set.of(PENDING, RUNNING);
        case PENDING -> Set.of();
      };
    }
  }
}
