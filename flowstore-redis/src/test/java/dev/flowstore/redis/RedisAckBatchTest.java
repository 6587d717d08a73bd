package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Acks of a tenant that arrive together go to Redis in one script call (AckBatcher). Every caller
 * must still get its own outcome: its job back as SUCCEEDED (read back from Redis, or built from
 * the lease this process remembers), or LEASE_LOST / NOT_FOUND for its own stale token or unknown
 * id, whatever else is in the batch. Redis database 10, shared with RedisContractsTest.Queue
 * (classes run one at a time; tenants are the test's own).
 */
class RedisAckBatchTest extends FlowstoreTestBase {
  private static final int DB = 10;
  private static final int THREADS = 8;
  private static final int PER_THREAD = 40;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }

  private static NewJob job(int n) {
    return NewJob.of("acks", "work", JsonNodeFactory.instance.objectNode().put("n", n));
  }

  @Test
  void concurrentAcksEachGetTheirOwnOutcome() throws Exception {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < THREADS * PER_THREAD; i++) jobs.add(job(i));
    q.enqueueAll(jobs);
    // half the leases by another process (another backend): their acks here read the job back
    List<Lease> leases = new ArrayList<>();
    try (Flowstore other = Flowstore.open(config(), clock)) {
      leases.addAll(
          other.queue(tenant).lease("acks", THREADS * PER_THREAD / 2, Duration.ofMinutes(5)));
    }
    leases.addAll(q.lease("acks", THREADS * PER_THREAD / 2, Duration.ofMinutes(5)));
    assertThat(leases).hasSize(THREADS * PER_THREAD);
    java.util.Collections.shuffle(leases, new java.util.Random(42));

    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<Lease> mine = leases.subList(t * PER_THREAD, (t + 1) * PER_THREAD);
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (Lease l : mine) {
                    FlowstoreException stale =
                        catchThrowableOfType(
                            FlowstoreException.class, () -> q.ack(l.jobId(), l.token() - 1));
                    assertThat(stale.code()).isEqualTo(ErrorCode.LEASE_LOST);
                    Job acked = q.ack(l.jobId(), l.token());
                    assertThat(acked.jobId()).isEqualTo(l.jobId());
                    assertThat(acked.status()).isEqualTo(Job.Status.SUCCEEDED);
                    assertThat(acked.leaseToken()).isEqualTo(l.token());
                    assertThat(acked.payload()).isEqualTo(l.job().payload());
                    assertThat(acked.finishedAt()).isNotNull();
                    assertThat(acked.leaseExpiresAt()).isNull();
                    assertThat(acked)
                        .usingRecursiveComparison()
                        .isEqualTo(q.get(l.jobId()).orElseThrow().job());
                    FlowstoreException again =
                        catchThrowableOfType(
                            FlowstoreException.class, () -> q.ack(l.jobId(), l.token()));
                    assertThat(again.code()).isEqualTo(ErrorCode.LEASE_LOST);
                    FlowstoreException unknown =
                        catchThrowableOfType(
                            FlowstoreException.class, () -> q.ack(UUID.randomUUID(), 1));
                    assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
    assertThat(q.stats())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.succeeded()).isEqualTo(THREADS * PER_THREAD);
              assertThat(s.leased()).isZero();
            });
    assertThat(q.stats()).extracting(QueueStats::depth).containsExactly(0L);
  }
}
