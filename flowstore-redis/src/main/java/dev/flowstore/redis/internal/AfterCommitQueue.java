package dev.flowstore.redis.internal;

import dev.flowstore.DeadLetters;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.JobQuery;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.Recorded;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.QueueValidation.ValidJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code Transaction.queue()} on Redis. Redis cannot join the SQL transaction, so an enqueue here
 * is deferred: the job gets its id now and is written to Redis right after the SQL commit (never
 * after a rollback). The returned job is what will be stored, except {@code seq} (0 until then). A
 * unique key is checked against Redis now and again at the write (a job that lost that race is
 * dropped as a duplicate). If the process dies between the commit and the write, the enqueue is
 * lost: for at-least-once across the boundary, add an outbox message in the transaction instead and
 * let the relay enqueue it. Leasing and settling jobs are not transactional operations: they fail
 * with UNPROCESSABLE here; use {@code flowstore.queue(tenant)}.
 */
final class AfterCommitQueue implements Queue {
  private final RedisQueue queue;
  private final Consumer<Runnable> afterCommit;

  AfterCommitQueue(RedisQueue queue, Consumer<Runnable> afterCommit) {
    this.queue = queue;
    this.afterCommit = afterCommit;
  }

  @Override
  public Recorded<Job> enqueue(NewJob job) {
    return defer(List.of(QueueValidation.job(job, queue.maxPayloadBytes()))).get(0);
  }

  @Override
  public List<Recorded<Job>> enqueueAll(List<NewJob> jobs) {
    return defer(QueueValidation.batch(jobs, queue.maxPayloadBytes()));
  }

  private List<Recorded<Job>> defer(List<ValidJob> checked) {
    List<Recorded<Job>> out = new ArrayList<>();
    List<ValidJob> toWrite = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    Map<String, Job> pendingKeys = new HashMap<>();
    Instant now = queue.now();
    for (ValidJob v : checked) {
      NewJob j = v.job();
      if (j.uniqueKey() != null) {
        String k = j.queue() + "\u0000" + j.uniqueKey();
        Job held = pendingKeys.get(k);
        if (held == null) held = queue.activeByKey(j.queue(), j.uniqueKey()).orElse(null);
        if (held != null) {
          out.add(new Recorded<>(held, true));
          continue;
        }
      }
      UUID id = UUID.randomUUID();
      Job planned =
          new Job(
              id,
              UUID.randomUUID(),
              j.eventId(),
              queue.keys().tenant(),
              j.traceId(),
              j.queue(),
              j.jobType(),
              v.payload(),
              j.priority(),
              j.runAt() == null ? now : j.runAt(),
              0,
              j.maxAttempts(),
              j.uniqueKey(),
              Job.Status.QUEUED,
              0,
              null,
              null,
              0,
              now,
              now,
              null);
      if (j.uniqueKey() != null) pendingKeys.put(j.queue() + "\u0000" + j.uniqueKey(), planned);
      toWrite.add(v);
      ids.add(id);
      out.add(new Recorded<>(planned, false));
    }
    if (toWrite.isEmpty()) return out;
    afterCommit.accept(
        () -> {
          try {
            queue.insert(toWrite, ids);
          } catch (FlowstoreException e) {
            throw new FlowstoreException(
                e.code(),
                "the transaction COMMITTED, but enqueueing its "
                    + ids.size()
                    + " job(s) into Redis failed: "
                    + e.getMessage(),
                e);
          }
        });
    return out;
  }

  private static FlowstoreException notHere(String what) {
    return new FlowstoreException(
        ErrorCode.UNPROCESSABLE,
        what
            + " is not transactional on the Redis queue backend: call it on flowstore.queue(tenant),"
            + " outside inTransaction (inside, the Redis queue only enqueues, after the commit)");
  }

  @Override
  public List<Lease> lease(String queueName, int max, Duration visibility) {
    throw notHere("lease");
  }

  @Override
  public Job ack(UUID jobId, long token) {
    throw notHere("ack");
  }

  @Override
  public Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    throw notHere("nack");
  }

  @Override
  public Lease heartbeat(UUID jobId, long token, Duration extend) {
    throw notHere("heartbeat");
  }

  @Override
  public Job release(UUID jobId, long token) {
    throw notHere("release");
  }

  @Override
  public Optional<JobDetail> get(UUID jobId) {
    return queue.get(jobId);
  }

  @Override
  public List<Job> list(JobQuery query) {
    return queue.list(query);
  }

  @Override
  public List<QueueStats> stats() {
    return queue.stats();
  }

  @Override
  public int releaseExpired() {
    throw notHere("releaseExpired");
  }

  @Override
  public int recoverDlq() {
    throw notHere("recoverDlq");
  }

  @Override
  public int purgeSucceeded(Instant finishedBefore, int max) {
    throw notHere("purgeSucceeded");
  }

  @Override
  public DeadLetters deadLetters() {
    return queue.deadLetters();
  }

  @Override
  public boolean awaitWork(String queueName, Duration timeout) throws InterruptedException {
    return queue.awaitWork(queueName, timeout);
  }
}
