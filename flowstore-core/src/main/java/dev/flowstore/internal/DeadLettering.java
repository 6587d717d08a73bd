package dev.flowstore.internal;

import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a call that dead-letters a job (a nack on the last attempt, the reaper), the same on
 * every queue backend: the job's move to {@code dlq_pending} has committed, and the remaining DLQ
 * moves run at once instead of waiting for the next {@code recoverDlq}. They may fail (the database
 * or Redis unreachable); the call still answers, since its own move committed, and {@code
 * recoverDlq} finishes the job later: a failure is logged, not thrown (an injected {@link Faults}
 * crash is not a {@link FlowstoreException}, so it still reaches the test that armed it).
 */
public final class DeadLettering {
  private static final Logger log = LoggerFactory.getLogger(DeadLettering.class);

  /** A queue backend's side of the DLQ moves. */
  public interface Moves {
    /**
     * Runs the remaining moves of a job ({@code dlq_pending -> dlq_recorded -> failed}).
     *
     * @return true when this call moved it to failed
     */
    boolean complete(UUID jobId);

    /** The job as it now is. */
    Optional<Job> find(UUID jobId);
  }

  private DeadLettering() {}

  /**
   * A nack's answer: the job as the nack left it or, when the nack dead-lettered it, as the rest of
   * the DLQ moves (run now) left it.
   */
  public static Job afterNack(Moves moves, Job after) {
    if (after.status() != Job.Status.DLQ_PENDING) return after;
    Faults.hit(Faults.Point.DLQ_PENDING_COMMITTED);
    return finish(moves, after.jobId()).orElse(after);
  }

  /**
   * Runs the rest of the DLQ moves of a job now: the job as they left it, or empty when they failed
   * (it then waits for recoverDlq).
   */
  public static Optional<Job> finish(Moves moves, UUID jobId) {
    try {
      moves.complete(jobId);
      return moves.find(jobId);
    } catch (FlowstoreException e) {
      log.warn(
          "job {}: DLQ transition interrupted, recoverDlq will finish it: {}", jobId, e.toString());
      return Optional.empty();
    }
  }
}
