package dev.flowstore.testkit;

import dev.flowstore.DeadLetters;
import dev.flowstore.Flowstore;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.JobQuery;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A Queue whose every call runs through {@link Flowstore#inTransaction}: the "caller's transaction"
 * mode. Waiting ({@link #awaitWork}) and the DLQ admin API are not transactional operations and use
 * the tenant's ordinary queue.
 */
public record InTransactionQueue(Flowstore fs, TenantId tenant) implements Queue {
  @Override
  public Recorded<Job> enqueue(NewJob job) {
    return fs.inTransaction(tenant, tx -> tx.queue().enqueue(job));
  }

  @Override
  public List<Recorded<Job>> enqueueAll(List<NewJob> jobs) {
    return fs.inTransaction(tenant, tx -> tx.queue().enqueueAll(jobs));
  }

  @Override
  public List<Lease> lease(String queue, int max, Duration visibility) {
    return fs.inTransaction(tenant, tx -> tx.queue().lease(queue, max, visibility));
  }

  @Override
  public Job ack(UUID jobId, long token) {
    return fs.inTransaction(tenant, tx -> tx.queue().ack(jobId, token));
  }

  @Override
  public Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    return fs.inTransaction(tenant, tx -> tx.queue().nack(jobId, token, error, retryDelay));
  }

  @Override
  public Lease heartbeat(UUID jobId, long token, Duration extend) {
    return fs.inTransaction(tenant, tx -> tx.queue().heartbeat(jobId, token, extend));
  }

  @Override
  public Job release(UUID jobId, long token) {
    return fs.inTransaction(tenant, tx -> tx.queue().release(jobId, token));
  }

  @Override
  public Optional<JobDetail> get(UUID jobId) {
    return fs.inTransaction(tenant, tx -> tx.queue().get(jobId));
  }

  @Override
  public List<Job> list(JobQuery query) {
    return fs.inTransaction(tenant, tx -> tx.queue().list(query));
  }

  @Override
  public List<QueueStats> stats() {
    return fs.inTransaction(tenant, tx -> tx.queue().stats());
  }

  @Override
  public int releaseExpired() {
    return fs.inTransaction(tenant, tx -> tx.queue().releaseExpired());
  }

  @Override
  public int recoverDlq() {
    return fs.inTransaction(tenant, tx -> tx.queue().recoverDlq());
  }

  @Override
  public int purgeSucceeded(Instant finishedBefore, int max) {
    return fs.inTransaction(tenant, tx -> tx.queue().purgeSucceeded(finishedBefore, max));
  }

  @Override
  public DeadLetters deadLetters() {
    return fs.queue(tenant).deadLetters();
  }

  @Override
  public boolean awaitWork(String queue, Duration timeout) throws InterruptedException {
    return fs.queue(tenant).awaitWork(queue, timeout);
  }
}
