package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A handle by which an outside answer resumes a paused session, as stored.
 *
 * @param handleId unique per tenant
 * @param sessionId the session that pauses
 * @param correlationId what the outside answer names; at most one waiting handle per correlation id
 * @param status PENDING_PAUSE (pausing), PAUSED (waiting), RESUMED or EXPIRED (final)
 * @param resumePayload the answer, once RESUMED
 * @param expiresAt after this it cannot be resumed (and the sweeper marks it EXPIRED), or null for
 *     never
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param pausedAt when the pause completed, or null (also when the resume came first)
 * @param resumedAt when it was resumed, or null
 */
public record ResumeHandle(
    UUID handleId,
    UUID sessionId,
    String correlationId,
    Status status,
    ObjectNode resumePayload,
    Instant expiresAt,
    Instant createdAt,
    Instant updatedAt,
    Instant pausedAt,
    Instant resumedAt) {

  /** "Waiting" (seed 004's WAITING) means PENDING_PAUSE or PAUSED. */
  public enum Status {
    PENDING_PAUSE,
    PAUSED,
    RESUMED,
    EXPIRED;

    public boolean waiting() {
      return this == PENDING_PAUSE || this == PAUSED;
    }
  }

  /**
   * Whether the resume arrived before the pause completed: the session has not stopped yet, so the
   * session itself (not the resumer) continues with the payload, which {@link
   * ResumeHandles#markPaused} hands it.
   */
  public boolean resumedBeforePause() {
    return status == Status.RESUMED && pausedAt == null;
  }
}
