package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The step log of one tenant's sessions: every attempt of every step (node run), keyed by {@code
 * (session, step, attempt)}, which is unique. It is also the idempotency log: a worker about to run
 * a step {@link #record records} the attempt first, and exactly one of several workers racing on
 * the same attempt wins.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#steps(TenantId)} (each call is
 * its own transaction) or from {@link Transaction#steps()} (calls join the caller's transaction).
 * Sessions are not checked to exist: a step log may be written before (or without) a session
 * record.
 */
public interface Steps {
  /** The longest error text stored. */
  int MAX_ERROR_CHARS = 65_536;

  /**
   * Records an attempt unless it is recorded already. Race-free: of any number of concurrent
   * records of the same {@code (session, step, attempt)}, in any number of processes, exactly one
   * returns {@code duplicate = false}; every other one writes nothing and returns the winner's
   * attempt with {@code duplicate = true}, whatever it asked to record.
   *
   * @throws FlowstoreException {@code INVALID_ID} for a bad step id; {@code INVALID_ARGUMENT} for a
   *     missing session or status, attempt < 1, output or error on a RUNNING attempt, over-long
   *     text; {@code INVALID_JSON} for U+0000 in input/output; {@code PAYLOAD_TOO_LARGE} when input
   *     or output exceeds the configured payload limit
   */
  Recorded<StepAttempt> record(NewStepAttempt attempt);

  /**
   * Whether an attempt was recorded, and with what status and result.
   *
   * @return empty when it was not (or belongs to another tenant)
   * @throws FlowstoreException {@code INVALID_ID}, {@code INVALID_ARGUMENT} for bad keys
   */
  Optional<StepAttempt> check(UUID sessionId, String step, int attempt);

  /**
   * Finishes a RUNNING attempt: sets its terminal status, output, result hash (null: the SHA-256 of
   * the output) and error, and {@code finished_at}. Exactly one of concurrent finishes of one
   * attempt succeeds.
   *
   * @param to SUCCEEDED, FAILED or SKIPPED
   * @throws FlowstoreException {@code NOT_FOUND} when the attempt is not recorded; {@code
   *     UNPROCESSABLE} when it is not RUNNING (the message names both statuses); {@code
   *     INVALID_ARGUMENT}, {@code INVALID_JSON}, {@code PAYLOAD_TOO_LARGE} for bad input
   */
  StepAttempt finish(
      UUID sessionId,
      String step,
      int attempt,
      StepAttempt.Status to,
      ObjectNode output,
      String resultHash,
      String error);

  /**
   * The attempts of a session in the order they were recorded (started_at, then step and attempt).
   *
   * @param limit 1..{@link EventStore#MAX_PAGE}
   */
  List<StepAttempt> list(UUID sessionId, int limit);
}
