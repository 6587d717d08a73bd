package dev.flowstore.jdbc.internal;

import dev.flowstore.Backoff;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.jdbc.internal.JdbcQueue.AckRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settling a lease: ack, nack, heartbeat, release, each fenced by the lease's token. Ack, heartbeat
 * and release are one conditional {@code UPDATE ... WHERE status = 'leased' AND lease_seq = ?
 * RETURNING ...} (the job is read only when nothing matched, to tell NOT_FOUND from LEASE_LOST);
 * nack first reads the job row-locked (it needs the attempt count) and proceeds only when it is
 * LEASED with exactly that token, so a stale holder changes nothing. Acks outside a caller's
 * transaction go to the group commit ({@link AckGroup}).
 */
final class JobSettles {
  private final Scope scope;
  private final Dialect dialect;
  private final JobRows rows;
  private final DeadLettering.Moves dlq;

  JobSettles(Scope scope, JobRows rows, DeadLettering.Moves dlq) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = rows;
    this.dlq = dlq;
  }

  private Instant now() {
    return scope.flowstore().now();
  }

  Job ack(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    if (scope.ownsTransactions()) {
      // why: each ack is a commit (a WAL fsync) of its own; concurrent acks of a tenant (workers,
      // a Worker's many handlers) share one instead — each still answered only after its commit
      return scope.flowstore().acks().submit(scope.tenant(), new AckRequest(jobId, token));
    }
    return scope.write(
        c -> {
          Instant now = now();
          Job done = settle(c, jobId, token, AckGroup.ACK_SET, now, now);
          rows.finishAttempt(c, jobId, token, "succeeded", null, now);
          return done;
        });
  }

  Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    RecordValidation.required("job_id", jobId);
    String why = QueueValidation.error(error);
    QueueValidation.delay(retryDelay);
    Job after =
        scope.write(
            c -> {
              Job job = holding(c, jobId, token);
              Instant now = now();
              boolean last = job.attempt() >= job.maxAttempts();
              if (last) {
                update(
                    c,
                    job,
                    "status = 'dlq_pending', lease_expires_at = NULL, last_error = ?, updated_at = ?",
                    why,
                    now);
              } else {
                Duration delay =
                    retryDelay != null
                        ? retryDelay
                        : Backoff.DEFAULT.delay(job.attempt(), ThreadLocalRandom.current());
                update(
                    c,
                    job,
                    "status = 'queued', run_at = ?, lease_expires_at = NULL, last_error = ?, updated_at = ?",
                    JobRows.plus(now, delay),
                    why,
                    now);
                if (delay.isZero()) QueueWakeups.announce(scope, job.queue());
              }
              rows.finishAttempt(c, jobId, token, "failed", why, now);
              return rows.find(c, jobId, false).orElseThrow();
            });
    return DeadLettering.afterNack(dlq, after);
  }

  Lease heartbeat(UUID jobId, long token, Duration extend) {
    RecordValidation.required("job_id", jobId);
    QueueValidation.positive("extend", extend);
    return scope.write(
        c -> {
          Instant now = now();
          Job extended =
              settle(
                  c,
                  jobId,
                  token,
                  "lease_expires_at = ?, updated_at = ?",
                  JobRows.plus(now, extend),
                  now);
          return new Lease(extended, token, extended.leaseExpiresAt());
        });
  }

  Job release(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    return scope.write(
        c -> {
          Instant now = now();
          Job released =
              settle(
                  c,
                  jobId,
                  token,
                  "status = 'queued', attempt = attempt - 1, lease_expires_at = NULL, updated_at = ?",
                  now);
          rows.finishAttempt(c, jobId, token, "released", null, now);
          QueueWakeups.announce(scope, released.queue());
          return released;
        });
  }

  /** The job row-locked, if {@code token} is its current lease; else NOT_FOUND or LEASE_LOST. */
  private Job holding(Connection c, UUID jobId, long token) throws SQLException {
    Optional<Job> job = rows.find(c, jobId, true);
    if (job.isEmpty() || job.get().status() != Job.Status.LEASED || job.get().leaseToken() != token)
      throw notHeld(jobId, token, job);
    return job.get();
  }

  /** Why {@code token} does not hold the job: NOT_FOUND or LEASE_LOST, from its current row. */
  static FlowstoreException notHeld(UUID jobId, long token, Optional<Job> current) {
    if (current.isEmpty())
      return new FlowstoreException(ErrorCode.NOT_FOUND, "job " + jobId + " not found");
    Job job = current.get();
    if (job.status() == Job.Status.LEASED && job.leaseToken() == token)
      return new FlowstoreException(
          ErrorCode.LEASE_LOST, "job " + jobId + ": lease lost while settling it");
    return new FlowstoreException(
        ErrorCode.LEASE_LOST,
        "job "
            + jobId
            + ": lease token "
            + token
            + " is stale (the job is "
            + job.status().wire()
            + (job.status() == Job.Status.LEASED ? " under token " + job.leaseToken() : "")
            + ")");
  }

  /**
   * Settles a job held under {@code token} in one statement: {@code UPDATE ... WHERE status =
   * 'leased' AND lease_seq = ? RETURNING ...}, the row as it now is. Only when nothing matched is
   * the job read, to tell NOT_FOUND from LEASE_LOST; then nothing was written.
   */
  private Job settle(Connection c, UUID jobId, long token, String set, Object... setValues)
      throws SQLException {
    Optional<Job> done =
        Columns.one(
            c,
            held(set, setValues, jobId, token).append(" RETURNING " + JobRows.COLUMNS),
            rows::job);
    if (done.isPresent()) return done.get();
    throw notHeld(jobId, token, rows.find(c, jobId, false));
  }

  /** A conditional update of a job still held under {@code token}. */
  private void update(Connection c, Job job, String set, Object... setValues) throws SQLException {
    if (Columns.update(c, held(set, setValues, job.jobId(), job.leaseToken())) != 1)
      throw new FlowstoreException(
          ErrorCode.LEASE_LOST, "job " + job.jobId() + ": lease lost while settling it");
  }

  /** {@code UPDATE jobs SET <set>} of the job while {@code token} holds it. */
  private Sql held(String set, Object[] setValues, UUID jobId, long token) {
    return new Sql(dialect, "UPDATE jobs SET " + set, setValues)
        .append(
            " WHERE tenant_id = ? AND job_id = ? AND status = 'leased' AND lease_seq = ?",
            scope.tenant().value(),
            jobId,
            token);
  }
}
