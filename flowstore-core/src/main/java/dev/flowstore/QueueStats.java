package dev.flowstore;

/**
 * How many jobs of one queue are in each state now (for {@code GET /v1/queues}).
 *
 * @param ready QUEUED and due (leasable now)
 * @param delayed QUEUED with run_at in the future (delayed jobs and retries in backoff)
 * @param leased LEASED (in flight, or abandoned with a lease not yet expired)
 * @param succeeded SUCCEEDED
 * @param dlqPending DLQ_PENDING (normally only for an instant; more means recovery is needed)
 * @param dlqRecorded DLQ_RECORDED (likewise)
 * @param failed FAILED (in the DLQ)
 */
public record QueueStats(
    String queue,
    long ready,
    long delayed,
    long leased,
    long succeeded,
    long dlqPending,
    long dlqRecorded,
    long failed) {

  /** Jobs still to be done: ready + delayed + leased. */
  public long depth() {
    return ready + delayed + leased;
  }
}
