package dev.flowstore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A tenant's job queues: at-least-once delivery with leases (visibility timeouts) and fencing
 * tokens, retries with exponential backoff and jitter ({@link Backoff}), and a dead-letter queue
 * reached through the state machine {@code dlq_pending -> dlq_recorded -> failed}.
 *
 * <p>Queues are per tenant: the same queue name of two tenants are two queues, and a job of another
 * tenant is {@code NOT_FOUND} to every method (never FORBIDDEN). Ready jobs are leased highest
 * priority first, then earliest {@code run_at}, then in enqueue order.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#queue(TenantId)} (each call is
 * its own transaction) or from {@link Transaction#queue()} (calls join the caller's transaction, so
 * an enqueue commits or rolls back with it, and workers are woken only after the commit). All times
 * come from the store's clock.
 */
public interface Queue {
  /** max_attempts when the caller gives none. */
  int DEFAULT_MAX_ATTEMPTS = 5;

  /** The largest max_attempts accepted. */
  int MAX_ATTEMPTS_CAP = 1000;

  /** The most jobs one {@link #enqueueAll} or one {@link #lease} handles. */
  int MAX_BATCH = 1000;

  /** Most jobs one {@link #purgeSucceeded} deletes. */
  int MAX_PURGE = 10_000;

  /** The longest visibility timeout, heartbeat extension or retry delay accepted. */
  Duration MAX_DURATION = Duration.ofDays(7);

  /** The longest error text accepted by {@link #nack}. */
  int MAX_ERROR_CHARS = 65_536;

  /**
   * Enqueues a job. When it has a unique key held by an active (not SUCCEEDED or FAILED) job of the
   * same queue, nothing is written and that job is returned with {@code duplicate = true}.
   * Race-free: of concurrent enqueues with one unique key exactly one stores a job.
   *
   * @throws FlowstoreException {@code INVALID_ID} for a bad queue name, job type or unique key;
   *     {@code INVALID_ARGUMENT} for max_attempts outside 1..{@link #MAX_ATTEMPTS_CAP} or a bad
   *     trace id; {@code INVALID_JSON} / {@code PAYLOAD_TOO_LARGE} for a bad payload
   */
  Recorded<Job> enqueue(NewJob job);

  /**
   * Enqueues up to {@link #MAX_BATCH} jobs in one transaction: all or none. Each result is as for
   * {@link #enqueue} (a job whose unique key repeats an earlier one of the batch is a duplicate of
   * it). Every job is validated before anything is written.
   *
   * @throws FlowstoreException as {@link #enqueue}, and {@code INVALID_ARGUMENT} for an empty or
   *     too large batch
   */
  List<Recorded<Job>> enqueueAll(List<NewJob> jobs);

  /**
   * Leases up to {@code max} ready jobs of a queue for {@code visibility}: each becomes LEASED, its
   * attempt count goes up by one and it gets a new fencing token. No other lease call gets the same
   * job until the lease ends (ack, nack, release, or expiry). Jobs whose lease expired with
   * attempts left go back to the queue first, so an abandoned job is re-delivered here.
   *
   * @param max 1..{@link #MAX_BATCH}
   * @param visibility how long the job stays invisible: more than 0, at most {@link #MAX_DURATION}
   * @return the leases, in lease order (priority, run_at, enqueue order); empty when none is ready
   * @throws FlowstoreException {@code INVALID_ID} for a bad queue name; {@code INVALID_ARGUMENT}
   *     for a bad max or visibility
   */
  List<Lease> lease(String queue, int max, Duration visibility);

  /**
   * Acknowledges a leased job: SUCCEEDED.
   *
   * @throws FlowstoreException {@code NOT_FOUND} for an unknown job (or another tenant's); {@code
   *     LEASE_LOST} when {@code token} is not the job's current lease (it expired and the job was
   *     leased again or released, or the job is not leased) — nothing changes then
   */
  Job ack(UUID jobId, long token);

  /**
   * Reports a failed attempt, keeping {@code error} in the attempt history. With attempts left the
   * job goes back to the queue, due after {@code retryDelay} or, when null, after {@link
   * Backoff#DEFAULT}'s delay for this attempt. After the last attempt it moves to DLQ_PENDING in
   * this transaction, and then (in separate transactions, right after) to DLQ_RECORDED with its DLQ
   * item and a {@code job.dead_lettered} audit entry, and to FAILED. If those later steps fail, the
   * job waits in DLQ_PENDING / DLQ_RECORDED for {@link #recoverDlq()}; nothing is lost and nothing
   * is written twice.
   *
   * @param retryDelay 0..{@link #MAX_DURATION}, or null for the backoff
   * @return the job after the nack (QUEUED, or normally FAILED)
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a missing or too long error or a bad
   *     delay; {@code NOT_FOUND}; {@code LEASE_LOST} as for {@link #ack}
   */
  Job nack(UUID jobId, long token, String error, Duration retryDelay);

  /**
   * Extends a lease to {@code now + extend} (for long jobs: call it well before the lease ends).
   *
   * @return the lease with its new expiry (same token)
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a bad extension; {@code NOT_FOUND};
   *     {@code LEASE_LOST} as for {@link #ack}
   */
  Lease heartbeat(UUID jobId, long token, Duration extend);

  /**
   * Hands a leased job back unprocessed (a worker shutting down): QUEUED and due now, and the
   * attempt does not count.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code LEASE_LOST} as for {@link #ack}
   */
  Job release(UUID jobId, long token);

  /** The job with its attempt history (and DLQ item, if any), or empty (also another tenant's). */
  Optional<JobDetail> get(UUID jobId);

  /**
   * A page of one queue's jobs, newest first (what the dashboard lists); each job as {@link #get}
   * returns it, without its attempts.
   *
   * @throws FlowstoreException as {@link JobQuery} does when it is built
   */
  List<Job> list(JobQuery query);

  /** Every queue of the tenant that has jobs, by name, with its depth per state. */
  List<QueueStats> stats();

  /**
   * The reaper: every LEASED job of the tenant whose lease has expired goes back to the queue
   * (attempt recorded as EXPIRED), or, when it has no attempts left, through the DLQ state machine.
   * Safe to run from several workers at once.
   *
   * @return how many leases were ended
   */
  int releaseExpired();

  /**
   * Finishes interrupted DLQ transitions: every DLQ_PENDING job is moved to DLQ_RECORDED (with its
   * DLQ item and audit entry, in one transaction) and every DLQ_RECORDED one to FAILED. Each step
   * is a conditional update, so running this concurrently or repeatedly writes each DLQ item and
   * audit entry exactly once.
   *
   * @return how many jobs reached FAILED
   */
  int recoverDlq();

  /** The tenant's dead-letter queue. */
  DeadLetters deadLetters();

  /**
   * Retention: deletes up to {@code max} jobs of the tenant that SUCCEEDED before {@code
   * finishedBefore}, with their attempt history, oldest first, so queue tables stay the size of the
   * live work. Failed jobs are not touched (they leave with their DLQ item: {@link
   * DeadLetters#purge}). Run it in batches until it returns less than {@code max}; the server's
   * sweeper does (see docs/queue.md, "Retention").
   *
   * @return how many jobs were deleted
   * @throws FlowstoreException {@code INVALID_ARGUMENT} when {@code max} is not 1..{@link
   *     #MAX_PURGE} or {@code finishedBefore} is null
   */
  int purgeSucceeded(java.time.Instant finishedBefore, int max);

  /**
   * Waits until work may have arrived in {@code queue} (an enqueue, redrive or released lease
   * committed, in this process or, on PostgreSQL, any process via LISTEN/NOTIFY) or until {@code
   * timeout}. A signal that came after this object's previous {@code awaitWork} for the queue
   * returned is not lost: the call then returns at once. Spurious wake-ups are possible; callers
   * poll after each return, and polling at {@code timeout} remains the fallback.
   *
   * @return true when woken by a signal, false on timeout
   * @throws InterruptedException when the waiting thread is interrupted
   */
  boolean awaitWork(String queue, Duration timeout) throws InterruptedException;

  /**
   * A worker for {@code queue} that leases jobs and runs {@code handler} on virtual threads. Use an
   * instance from {@link Flowstore#queue(TenantId)}, not one bound to a transaction.
   */
  default Worker.Builder worker(String queue, JobHandler handler) {
    return new Worker.Builder(this, queue, handler);
  }
}
