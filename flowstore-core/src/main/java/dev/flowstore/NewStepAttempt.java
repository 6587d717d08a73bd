package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * An attempt to record with {@link Steps#record}.
 *
 * @param sessionId required
 * @param step required, a name-like id (1-200 chars of letters, digits, {@code _ . : @ = + / -})
 * @param attempt >= 1
 * @param status required; a terminal status records a finished attempt in one step (an
 *     idempotency-log entry)
 * @param input a JSON object, or null
 * @param output a JSON object, or null; only with a terminal status
 * @param resultHash up to 200 chars, or null to hash {@code output}
 * @param error up to 65536 chars, or null; only with a terminal status
 */
public record NewStepAttempt(
    UUID sessionId,
    String step,
    int attempt,
    StepAttempt.Status status,
    ObjectNode input,
    ObjectNode output,
    String resultHash,
    String error) {

  /** A RUNNING attempt with its input. */
  public static NewStepAttempt running(UUID sessionId, String step, int attempt, ObjectNode input) {
    return new NewStepAttempt(
        sessionId, step, attempt, StepAttempt.Status.RUNNING, input, null, null, null);
  }
}
