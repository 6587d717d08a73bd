package dev.flowstore;

import java.time.Instant;

/**
 * One delivery of a job: kept forever with the job (attempt history), including each error.
 *
 * @param attempt the job's attempt number then (restarts at 1 after a redrive)
 * @param token the fencing token of that lease (unique per job, never reused)
 * @param outcome how it ended, or LEASED while it runs
 * @param error the error of a FAILED attempt ("lease expired" for EXPIRED), or null
 * @param leasedAt when it was leased
 * @param finishedAt when it ended, or null while LEASED
 */
public record JobAttempt(
    int attempt, long token, Outcome outcome, String error, Instant leasedAt, Instant finishedAt) {

  /** How an attempt ended. */
  public enum Outcome {
    /** Still running (or its worker died and nobody has noticed yet). */
    LEASED,
    SUCCEEDED,
    /** Nacked by its worker. */
    FAILED,
    /** The lease ran out; the job went back to the queue (or to the DLQ). */
    EXPIRED,
    /** Handed back unprocessed (worker shutdown); does not count as an attempt. */
    RELEASED
  }
}
