package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.JobAttempt.Outcome;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Workers, wake-ups and the Jepsen-style delivery check: every queue backend subclasses this.
 * Nothing sleeps: store time moves with the test's clock, waits are latches and Awaitility.
 */
public abstract class QueueWorkerContract extends QueueTestSupport {
  private static final Duration AT_MOST = Duration.ofSeconds(30);

  private static boolean succeeded(Queue q, UUID id) {
    return q.get(id).orElseThrow().job().status() == Job.Status.SUCCEEDED;
  }

  @Test
  void aWorkerRunsJobsConcurrentlyAndAcksThem() {
    Queue q = fs.queue(newTenant());
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) ids.add(q.enqueue(job("w", i)).value().jobId());
    Map<UUID, Integer> runs = new ConcurrentHashMap<>();
    try (Worker w =
        q.worker("w", l -> runs.merge(l.jobId(), 1, Integer::sum))
            .concurrency(4)
            .pollInterval(Duration.ofMillis(50))
            .start()) {
      await().atMost(AT_MOST).until(() -> ids.stream().allMatch(id -> succeeded(q, id)));
      // why a wait: the store shows a job succeeded when its ack commits, a moment before the
      // worker's thread gets the answer and counts it (under load 19 of 20 were counted here)
      await().atMost(AT_MOST).until(w::acked, n -> n >= 20L);
      assertThat(w.acked()).isEqualTo(20);
    }
    assertThat(runs).hasSize(20).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void aHandlerExceptionNacksTheJobWithTheError() {
    Queue q = fs.queue(newTenant());
    UUID id = q.enqueue(job("fail", 1).withMaxAttempts(1)).value().jobId();
    try (Worker w =
        q.worker(
                "fail",
                l -> {
                  throw new IllegalStateException("handler broke");
                })
            .pollInterval(Duration.ofMillis(50))
            .start()) {
      await()
          .atMost(AT_MOST)
          .until(() -> q.get(id).orElseThrow().job().status() == Job.Status.FAILED);
    }
    JobAttempt a = q.get(id).orElseThrow().attempts().get(0);
    assertThat(a.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(a.error()).contains("IllegalStateException").contains("handler broke");
    assertThat(q.deadLetters().inspect(id)).isPresent();
  }

  @Test
  void anIdleWorkerWakesOnEnqueueWellUnderItsPollInterval() throws Exception {
    Queue q = fs.queue(newTenant());
    CountDownLatch ran = new CountDownLatch(1);
    try (Worker w =
        q.worker("idle", l -> ran.countDown()).pollInterval(Duration.ofMinutes(5)).start()) {
      // the worker finds the queue empty and waits (for 5 minutes unless woken); whether the
      // enqueue lands before or during that wait, only a wake-up can get the job run in time
      assertThat(w.isRunning()).isTrue();
      q.enqueue(job("idle", 1));
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("woken, not polled").isTrue();
    }
  }

  @Test
  void awaitWorkReturnsOnASignalEvenOneThatCameBeforeTheWaitAndTimesOutWithoutOne()
      throws Exception {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    assertThat(q.lease("aw", 1, Duration.ofSeconds(30))).isEmpty();
    assertThat(q.awaitWork("aw", Duration.ofMillis(20))).isFalse();
    q.enqueue(job("aw", 1)); // after the empty poll, before the wait: must not be lost
    assertThat(q.awaitWork("aw", Duration.ofMinutes(5))).isTrue();
    // a waiter of another queue: only the enqueue below can wake it
    Queue waiter = fs.queue(tenant);
    CountDownLatch woke = new CountDownLatch(1);
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    if (waiter.awaitWork("aw2", Duration.ofMinutes(5))) woke.countDown();
                  } catch (InterruptedException ignored) {
                    // test ends
                  }
                });
    await()
        .atMost(AT_MOST)
        .until(
            () ->
                t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    q.enqueue(job("aw2", 2));
    assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
    // a rolled-back enqueue wakes nobody
    TenantId other = newTenant();
    Queue oq = fs.queue(other);
    assertThat(oq.lease("rb", 1, Duration.ofSeconds(30))).isEmpty();
    try {
      fs.inTransaction(
          other,
          tx -> {
            tx.queue().enqueue(job("rb", 1));
            throw new FlowstoreException(ErrorCode.UNPROCESSABLE, "abort");
          });
    } catch (FlowstoreException expected) {
      assertThat(expected.code()).isEqualTo(ErrorCode.UNPROCESSABLE);
    }
    assertThat(oq.awaitWork("rb", Duration.ofMillis(200))).isFalse();
  }

  @Test
  void closeLetsInFlightJobsFinishWithinTheGrace() throws Exception {
    Queue q = fs.queue(newTenant());
    UUID id = q.enqueue(job("g", 1)).value().jobId();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Worker w =
        q.worker(
                "g",
                l -> {
                  started.countDown();
                  finish.await();
                })
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ofSeconds(30))
            .start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = Thread.ofVirtual().start(w::close);
    await().atMost(AT_MOST).until(() -> !w.isRunning());
    q.enqueue(job("g", 2)); // not leased: the worker has stopped leasing
    finish.countDown();
    closer.join(Duration.ofSeconds(30));
    assertThat(closer.isAlive()).isFalse();
    assertThat(succeeded(q, id)).isTrue();
    assertThat(stats(q, "g").ready()).isEqualTo(1);
  }

  @Test
  void closeReleasesJobsThatOutliveTheGrace() throws Exception {
    Queue q = fs.queue(newTenant());
    UUID id = q.enqueue(job("stuck", 1)).value().jobId();
    CountDownLatch started = new CountDownLatch(1);
    Worker w =
        q.worker(
                "stuck",
                l -> {
                  started.countDown();
                  new CountDownLatch(1).await(); // until interrupted
                })
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ofMillis(100))
            .start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    w.close();
    Job job = q.get(id).orElseThrow().job();
    assertThat(job.status()).isEqualTo(Job.Status.QUEUED);
    assertThat(job.attempt()).isZero();
    assertThat(q.get(id).orElseThrow().attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.RELEASED));
  }

  @Test
  void heartbeatsKeepALongJobLeasedPastItsVisibility() throws Exception {
    Queue q = fs.queue(newTenant());
    UUID id = q.enqueue(job("long", 1)).value().jobId();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    try (Worker w =
        q.worker(
                "long",
                l -> {
                  started.countDown();
                  finish.await();
                })
            .visibility(Duration.ofSeconds(2))
            .heartbeatInterval(Duration.ofMillis(20))
            .pollInterval(Duration.ofMillis(50))
            .start()) {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Instant firstExpiry = q.get(id).orElseThrow().job().leaseExpiresAt();
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofMillis(1500));
        Instant due = clock.instant().plusMillis(1900);
        await()
            .atMost(AT_MOST)
            .until(() -> !q.get(id).orElseThrow().job().leaseExpiresAt().isBefore(due));
      }
      assertThat(clock.instant()).isAfter(firstExpiry);
      assertThat(q.lease("long", 1, Duration.ofSeconds(30))).isEmpty();
      finish.countDown();
      await().atMost(AT_MOST).until(() -> succeeded(q, id));
    }
    assertThat(q.get(id).orElseThrow().attempts()).hasSize(1);
  }

  /** One delivery seen by a consumer in the Jepsen-style check. */
  private record Delivery(
      UUID jobId, long token, Instant leasedAt, Instant expiresAt, boolean acked) {}

  @Test
  void jepsenNoAcknowledgedJobIsLostAndEveryDuplicateIsExplainedByAnExpiredLease()
      throws Exception {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    int n = 300;
    Duration visibility = Duration.ofSeconds(10);
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) batch.add(job("jepsen", i).withMaxAttempts(Queue.MAX_ATTEMPTS_CAP));
    List<UUID> enqueued = new ArrayList<>();
    for (int from = 0; from < n; from += 100)
      q.enqueueAll(batch.subList(from, from + 100)).forEach(r -> enqueued.add(r.value().jobId()));
    List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger lostAcks = new AtomicInteger();
    int rounds = 0;
    while (stats(q, "jepsen").succeeded() < n && rounds++ < 200) {
      int round = rounds;
      var out =
          Concurrently.race(
              5,
              worker -> {
                Random random = new Random(round * 31L + worker);
                Queue mine = fs.queue(tenant);
                while (true) {
                  List<Lease> leases = mine.lease("jepsen", 4, visibility);
                  if (leases.isEmpty()) return null;
                  for (Lease l : leases) {
                    Instant leasedAt = l.expiresAt().minus(visibility);
                    if (random.nextInt(100) < 15) { // this worker "dies" holding the lease
                      deliveries.add(
                          new Delivery(l.jobId(), l.token(), leasedAt, l.expiresAt(), false));
                      continue;
                    }
                    try {
                      mine.ack(l.jobId(), l.token());
                      deliveries.add(
                          new Delivery(l.jobId(), l.token(), leasedAt, l.expiresAt(), true));
                    } catch (FlowstoreException e) {
                      assertThat(e.code()).isEqualTo(ErrorCode.LEASE_LOST);
                      lostAcks.incrementAndGet();
                      deliveries.add(
                          new Delivery(l.jobId(), l.token(), leasedAt, l.expiresAt(), false));
                    }
                  }
                }
              });
      assertThat(out).allMatch(Concurrently.Outcome::ok);
      clock.advance(visibility.plusSeconds(1)); // the dead workers' leases expire
    }
    // lost = acknowledged enqueues that never completed
    long lost = enqueued.stream().filter(id -> !succeeded(q, id)).count();
    assertThat(lost).as("lost").isZero();
    Map<UUID, List<Delivery>> byJob =
        deliveries.stream().collect(Collectors.groupingBy(Delivery::jobId));
    assertThat(byJob.keySet()).containsExactlyInAnyOrderElementsOf(enqueued);
    int duplicates = 0;
    for (var e : byJob.entrySet()) {
      List<Delivery> ds = new ArrayList<>(e.getValue());
      ds.sort(Comparator.comparingLong(Delivery::token));
      assertThat(ds.stream().filter(Delivery::acked)).as("acked once: " + e.getKey()).hasSize(1);
      assertThat(ds.get(ds.size() - 1).acked()).as("the last delivery is the acked one").isTrue();
      for (int i = 0; i + 1 < ds.size(); i++) {
        Delivery earlier = ds.get(i);
        Delivery later = ds.get(i + 1);
        assertThat(later.token()).isGreaterThan(earlier.token());
        // a redelivery only after the earlier lease had expired
        assertThat(later.leasedAt()).isAfterOrEqualTo(earlier.expiresAt());
        assertThat(earlier.acked()).isFalse();
        duplicates++;
      }
      List<JobAttempt> history = q.get(e.getKey()).orElseThrow().attempts();
      assertThat(history).hasSize(ds.size());
      assertThat(history.stream().filter(a -> a.outcome() == Outcome.EXPIRED))
          .hasSize(ds.size() - 1);
    }
    System.out.printf(
        "jepsen: %d jobs, %d deliveries, %d duplicates (all after an expired lease), %d late acks rejected, %d rounds, lost=%d%n",
        n, deliveries.size(), duplicates, lostAcks.get(), rounds, lost);
    assertThat(duplicates).as("workers did die").isPositive();
  }
}
