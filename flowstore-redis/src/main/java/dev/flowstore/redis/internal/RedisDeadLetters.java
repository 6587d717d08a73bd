package dev.flowstore.redis.internal;

import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.spi.DeadLetterStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The DLQ state machine across Redis and the SQL store, and the DLQ API. The SQL store is the truth
 * for DLQ items and audit entries; Redis holds the job's status.
 *
 * <ol>
 *   <li>Redis (the failing nack or the reaper, one script): {@code leased -> dlq_pending}.
 *   <li>SQL (one transaction, {@link DeadLetterStore#record}): the job copy, the DLQ item and the
 *       {@code job.dead_lettered} audit entry, the entry only if this call inserted the item; then
 *       Redis {@code dlq_pending -> dlq_recorded} (conditional).
 *   <li>Redis {@code dlq_recorded -> failed} (conditional).
 * </ol>
 *
 * A crash between any two steps leaves the job in dlq_pending or dlq_recorded (not leasable, not
 * deleted, visible in stats) until {@code recoverDlq} repeats the remaining steps: the SQL step is
 * idempotent (the item's primary key decides who writes the audit entry) and each Redis step is
 * conditional on the previous status, so the order holds and nothing is written twice. Redrive and
 * purge first mark their intent in Redis ({@code #dlq_ops}), then remove the item in SQL, then
 * finish in Redis; recovery finishes a marked one the same way.
 */
final class RedisDeadLetters implements DeadLetters, DeadLettering.Moves {
  private final RedisQueue queue;
  private final RedisQueueBackend backend;
  private final Keys keys;

  RedisDeadLetters(RedisQueue queue, RedisQueueBackend backend, Keys keys) {
    this.queue = queue;
    this.backend = backend;
    this.keys = keys;
  }

  private DeadLetterStore store() {
    return backend.deadLetterStore();
  }

  private boolean move(UUID jobId, String from, String to) {
    List<Object> r = backend.redis().eval(Scripts.DLQ_MOVE, keys, jobId.toString(), from, to);
    return "OK".equals(r.get(0));
  }

  /**
   * Runs the remaining DLQ steps of a job.
   *
   * @return true when this call moved it to failed
   */
  @Override
  public boolean complete(UUID jobId) {
    Optional<Job> job = queue.find(jobId);
    if (job.isEmpty()) return false;
    if (job.get().status() == Job.Status.DLQ_PENDING) {
      store().record(keys.tenant(), job.get());
      Faults.hit(Faults.Point.DLQ_RECORD_COMMITTED);
      move(jobId, "dlq_pending", "dlq_recorded");
    }
    Faults.hit(Faults.Point.DLQ_RECORDED_COMMITTED);
    return move(jobId, "dlq_recorded", "failed");
  }

  @Override
  public Optional<Job> find(UUID jobId) {
    return queue.find(jobId);
  }

  @Override
  public List<DlqItem> list(String queueName, UUID afterJobId, int limit) {
    if (queueName != null) QueueValidation.queue(queueName);
    RecordValidation.limit(limit);
    return store().list(keys.tenant(), queueName, afterJobId, limit);
  }

  @Override
  public Optional<JobDetail> inspect(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    return queue.get(jobId).filter(d -> d.deadLetter() != null);
  }

  private static FlowstoreException notInDlq(UUID jobId) {
    return new FlowstoreException(ErrorCode.NOT_FOUND, "job " + jobId + " is not in the DLQ");
  }

  /** Marks a DLQ admin step in Redis; NOT_FOUND unless the job is FAILED with an item. */
  private void begin(UUID jobId, String op) {
    if (store().find(keys.tenant(), jobId).isEmpty()) throw notInDlq(jobId);
    List<Object> r = backend.redis().eval(Scripts.DLQ_OP_BEGIN, keys, jobId.toString(), op);
    switch ((String) r.get(0)) {
      case "OK" -> {}
      case "CONFLICT" ->
          throw new FlowstoreException(
              ErrorCode.UNPROCESSABLE,
              "job "
                  + jobId
                  + ": an active job ("
                  + r.get(1)
                  + ") of its queue holds the same unique_key");
      default -> throw notInDlq(jobId);
    }
  }

  @Override
  public Job redrive(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    begin(jobId, "redrive");
    return finishRedrive(jobId).orElseThrow(() -> notInDlq(jobId));
  }

  Optional<Job> finishRedrive(UUID jobId) {
    store().remove(keys.tenant(), jobId, "job.redriven", "queued");
    List<Object> r =
        backend
            .redis()
            .eval(Scripts.REDRIVE_FINISH, keys, jobId.toString(), UUID.randomUUID().toString());
    if (!"OK".equals(r.get(0))) return Optional.empty();
    Job job = JobCodec.job(keys.tenant(), r.get(1));
    backend.wakeups().signal(keys.wakeKey(job.queue()));
    return Optional.of(job);
  }

  @Override
  public void purge(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    if (queue.find(jobId).isEmpty()) {
      // why: Redis lost the job (a wipe) but the SQL store, the truth, still has its item
      if (!store().remove(keys.tenant(), jobId, "job.purged", "purged")) throw notInDlq(jobId);
      return;
    }
    begin(jobId, "purge");
    finishPurge(jobId);
  }

  void finishPurge(UUID jobId) {
    store().remove(keys.tenant(), jobId, "job.purged", "purged");
    backend.redis().eval(Scripts.PURGE_FINISH, keys, jobId.toString());
  }

  @Override
  public int purgeQueue(String queueName) {
    QueueValidation.queue(queueName);
    int n = 0;
    while (true) {
      List<DlqItem> page = store().list(keys.tenant(), queueName, null, 1000);
      if (page.isEmpty()) return n;
      for (DlqItem i : page) {
        purge(i.jobId());
        n++;
      }
    }
  }
}
