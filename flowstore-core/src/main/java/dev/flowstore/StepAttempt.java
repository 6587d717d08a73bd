package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One attempt of one step (node) of a session, as stored: the node run and the idempotency log
 * entry in one.
 *
 * @param sessionId the session (run) the step belongs to
 * @param step the step's id, usually the node id of the flow
 * @param attempt 1, 2, 3...; {@code (session, step, attempt)} is unique per tenant
 * @param status where the attempt is
 * @param input a JSON object, or null
 * @param output a JSON object once finished, or null
 * @param resultHash the caller's hash of the result, or the SHA-256 (hex) of {@code output} as
 *     stored when the caller gave none; null when there is neither
 * @param error why it failed, or null
 * @param startedAt when it was recorded
 * @param finishedAt when it reached a terminal status, or null while RUNNING
 */
public record StepAttempt(
    UUID sessionId,
    String step,
    int attempt,
    Status status,
    ObjectNode input,
    ObjectNode output,
    String resultHash,
    String error,
    Instant startedAt,
    Instant finishedAt) {

  /** RUNNING, then one terminal status. */
  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED,
    SKIPPED;

    public boolean terminal() {
      return this != RUNNING;
    }
  }
}
