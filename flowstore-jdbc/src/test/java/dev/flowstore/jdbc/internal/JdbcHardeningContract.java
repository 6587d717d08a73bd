package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.AppendResult;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FaultyDataSource;
import dev.flowstore.testkit.FaultyDataSource.Fault;
import dev.flowstore.testkit.FlowstoreTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10 defects of the SQL store, on every SQL dialect: group commits whose {@code COMMIT} fails
 * (really committed or not: the answer is lost either way), tenant registration in a transaction
 * that rolls back, and per-tenant maps that must not grow with every tenant ever seen.
 *
 * <p>Faults are injected on the store's write connections ({@link JdbcFlowstore#withWriter} with a
 * {@link FaultyDataSource}); the batches are made deterministic by holding the tenant's write lock
 * in a transaction of the plain store until the other callers have queued up behind the leader.
 */
abstract class JdbcHardeningContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int CALLERS = 16;

  private final FaultyDataSource faults = new FaultyDataSource();
  private JdbcFlowstore faulty;

  @BeforeAll
  void openFaulty() {
    faulty = jdbc().withWriter(faults::wrap);
  }

  @AfterAll
  void closeFaulty() {
    if (faulty != null) faulty.close();
  }

  private JdbcFlowstore jdbc() {
    return (JdbcFlowstore) fs;
  }

  private static EventData event(int n) {
    return EventData.of("Happened", JSON.objectNode().put("n", n));
  }

  /**
   * Runs {@code call(0)} as the leader of {@code group}'s lane while a transaction of the plain
   * store ({@code hold}) keeps it waiting for a lock, queues {@code call(1..CALLERS-1)} behind it,
   * then lets go: the first commit is the leader's alone, the second the other callers' batch.
   * Returns each call's result or the exception it threw.
   */
  private List<Object> batchBehindLeader(
      TenantId tenant,
      GroupCommit<?, ?> group,
      java.util.function.Consumer<dev.flowstore.Transaction> hold,
      IntFunction<Object> call)
      throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS + 1);
    try {
      Future<?> holder =
          pool.submit(
              () ->
                  fs.inTransaction(
                      tenant,
                      tx -> {
                        hold.accept(tx);
                        held.countDown();
                        release.await();
                        return null;
                      }));
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        int k = i;
        calls.add(
            pool.submit(
                () -> {
                  try {
                    return call.apply(k);
                  } catch (FlowstoreException e) {
                    return e;
                  }
                }));
        // the leader has polled its own request and waits for the lock in its transaction; the
        // others queue one after the other, so the batch is in call order
        if (i == 0)
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> group.leading(tenant) && group.queued(tenant) == 0);
        else
          await()
              .pollInterval(Duration.ofMillis(1))
              .atMost(Duration.ofSeconds(30))
              .until(() -> group.queued(tenant) == k);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> group.queued(tenant) == CALLERS - 1);
      release.countDown();
      holder.get(30, TimeUnit.SECONDS);
      List<Object> out = new ArrayList<>();
      for (Future<Object> f : calls) out.add(f.get(60, TimeUnit.SECONDS));
      return out;
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * {@code CALLERS} appends (expected any, event ids generated) of which the first commits alone
   * and the other 15 share one batch, whose commit fails with {@code fault}.
   */
  @ParameterizedTest
  @EnumSource(Fault.class)
  void appendsOfABatchWhoseCommitFailsAreStoredExactlyOnce(Fault fault) throws Exception {
    TenantId tenant = newTenant();
    fs.events(tenant).append("warm", ExpectedVersion.ANY, List.of(event(0)));
    faults.arm(fault, 1, 1);
    List<Object> results;
    try {
      results =
          batchBehindLeader(
              tenant,
              faulty.appends(),
              // holds the tenant's feed lock (PostgreSQL) or the single writer (SQLite)
              tx -> tx.events().append("hold", ExpectedVersion.ANY, List.of(event(-1))),
              i ->
                  faulty
                      .events(tenant)
                      .append("s-" + (i % 4), ExpectedVersion.ANY, List.of(event(i))));
    } finally {
      faults.disarm();
    }
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(AppendResult.class));
    List<RecordedEvent> feed = fs.events(tenant).readAll(0, 1000, null);
    Set<UUID> answered = new HashSet<>();
    for (Object r : results) {
      RecordedEvent e = ((AppendResult) r).events().get(0);
      answered.add(e.eventId());
      assertThat(feed).as("the answer is what is stored").contains(e);
    }
    assertThat(answered).hasSize(CALLERS);
    // warm + hold + one event per caller: nothing stored twice, nothing lost
    assertThat(feed).hasSize(CALLERS + 2);
    assertThat(feed.stream().map(RecordedEvent::position).toList())
        .containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(1, CALLERS + 2).boxed().toList());
  }

  /** As above for acks: none that committed is reported failed, none is lost. */
  @ParameterizedTest
  @EnumSource(Fault.class)
  void acksOfABatchWhoseCommitFailsAreAnsweredByWhatCommitted(Fault fault) throws Exception {
    TenantId tenant = newTenant();
    var queue = fs.queue(tenant);
    for (int i = 0; i < CALLERS; i++) queue.enqueue(NewJob.of("q", "work", JSON.objectNode()));
    List<Lease> leases = new ArrayList<>(queue.lease("q", CALLERS, Duration.ofMinutes(10)));
    assertThat(leases).hasSize(CALLERS);
    Lease first = leases.get(0);
    faults.arm(fault, 1, 1);
    List<Object> results;
    try {
      results =
          batchBehindLeader(
              tenant,
              faulty.acks(),
              // holds the first job's row (PostgreSQL) or the single writer (SQLite); the
              // heartbeat keeps the token
              tx -> tx.queue().heartbeat(first.jobId(), first.token(), Duration.ofMinutes(10)),
              i -> faulty.queue(tenant).ack(leases.get(i).jobId(), leases.get(i).token()));
    } finally {
      faults.disarm();
    }
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r).isInstanceOf(Job.class);
              assertThat(((Job) r).status()).isEqualTo(Job.Status.SUCCEEDED);
            });
    for (Lease l : leases)
      assertThat(queue.get(l.jobId()).orElseThrow().job().status()).isEqualTo(Job.Status.SUCCEEDED);
  }

  /**
   * Fencing inside one group commit: a stale ack (an old token of a job that was leased again) and
   * the holder's ack of that job share a batch, the stale one first. The holder's ack succeeds and
   * the stale one gets LEASE_LOST — answers are matched to requests by job and token, not by job
   * alone (found by chaos scenario 1: the stale token was told it acked, the holder that it lost).
   */
  @Test
  void aStaleAckAndTheHoldersAckOfOneJobInOneBatchGetTheirOwnAnswers() throws Exception {
    TenantId tenant = newTenant();
    var queue = fs.queue(tenant);
    queue.enqueue(NewJob.of("leader", "work", JSON.objectNode()));
    Lease leader = queue.lease("leader", 1, Duration.ofMinutes(10)).get(0);
    queue.enqueue(NewJob.of("q", "work", JSON.objectNode()));
    Lease stale = queue.lease("q", 1, Duration.ofMinutes(10)).get(0);
    queue.release(stale.jobId(), stale.token());
    Lease held = queue.lease("q", 1, Duration.ofMinutes(10)).get(0);
    assertThat(held.jobId()).isEqualTo(stale.jobId());
    assertThat(held.token()).isNotEqualTo(stale.token());
    List<Object> results =
        batchBehindLeader(
            tenant,
            jdbc().acks(),
            tx -> tx.queue().heartbeat(leader.jobId(), leader.token(), Duration.ofMinutes(10)),
            i ->
                switch (i) {
                  case 0 -> fs.queue(tenant).ack(leader.jobId(), leader.token());
                  case 1 -> fs.queue(tenant).ack(stale.jobId(), stale.token());
                  case 2 -> fs.queue(tenant).ack(held.jobId(), held.token());
                  // the rest of the batch: more stale acks, all refused
                  default -> fs.queue(tenant).ack(stale.jobId(), stale.token());
                });
    assertThat(results.get(0)).isInstanceOf(Job.class);
    assertThat(results.get(2)).isInstanceOf(Job.class);
    assertThat(((Job) results.get(2)).status()).isEqualTo(Job.Status.SUCCEEDED);
    for (int i = 1; i < results.size(); i++) {
      if (i == 2) continue;
      assertThat(results.get(i)).isInstanceOf(FlowstoreException.class);
      assertThat(((FlowstoreException) results.get(i)).code()).isEqualTo(ErrorCode.LEASE_LOST);
    }
  }

  @Test
  void aCommitWhoseOutcomeCannotBeCheckedIsReportedUnknownNotGuessed() {
    TenantId tenant = newTenant();
    fs.events(tenant).append("warm", ExpectedVersion.ANY, List.of(event(0)));
    fs.queue(tenant).enqueue(NewJob.of("q", "work", JSON.objectNode()));
    Lease lease = fs.queue(tenant).lease("q", 1, Duration.ofMinutes(10)).get(0);
    faults.arm(Fault.LOST_AFTER_COMMIT, 0, Integer.MAX_VALUE);
    FlowstoreException append;
    FlowstoreException ack;
    try {
      append =
          org.junit.jupiter.api.Assertions.assertThrows(
              FlowstoreException.class,
              () -> faulty.events(tenant).append("s", ExpectedVersion.ANY, List.of(event(1))));
      ack =
          org.junit.jupiter.api.Assertions.assertThrows(
              FlowstoreException.class,
              () -> faulty.queue(tenant).ack(lease.jobId(), lease.token()));
    } finally {
      faults.disarm();
    }
    assertThat(append.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(ack.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    // it did commit, once: the re-check found it but could not say so
    assertThat(fs.events(tenant).readStream("s", 0, 10, dev.flowstore.Direction.FORWARD))
        .hasSize(1);
    assertThat(fs.queue(tenant).get(lease.jobId()).orElseThrow().job().status())
        .isEqualTo(Job.Status.SUCCEEDED);
  }

  /**
   * A plain write (not group-committed) whose commit did commit but lost its answer: the caller
   * gets OUTCOME_UNKNOWN, not a failure, and the steps that are harmless either way (the queue's
   * wake-up here, session cache invalidations) still run, so a stored job does not sleep until the
   * poll.
   */
  @Test
  void aWriteWhoseCommitIsUnknownSaysSoAndStillWakesTheQueue() {
    TenantId tenant = newTenant();
    String key = QueueWakeups.key(tenant.value(), "q");
    long before = faulty.wakeups().generation(key);
    faults.arm(Fault.LOST_AFTER_COMMIT, 0, 1);
    FlowstoreException e;
    try {
      e =
          org.junit.jupiter.api.Assertions.assertThrows(
              FlowstoreException.class,
              () -> faulty.queue(tenant).enqueue(NewJob.of("q", "work", JSON.objectNode())));
    } finally {
      faults.disarm();
    }
    assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(faulty.wakeups().generation(key)).isNotEqualTo(before);
    assertThat(fs.queue(tenant).lease("q", 10, Duration.ofMinutes(1))).hasSize(1);
  }

  /**
   * A record create whose commit is lost (on PostgreSQL the {@code COMMIT} travels with the
   * create's inserts, {@link Transactions#writeEndingWith}; on SQLite it is {@code
   * Connection.commit()}): OUTCOME_UNKNOWN, never a failure, and the steps harmless either way (the
   * feed's wake-up) still run. What is stored is the whole create (the commit ran) or nothing, and
   * the feed stays without gaps.
   */
  @ParameterizedTest
  @EnumSource(Fault.class)
  void aRecordCreateWhoseCommitIsLostIsUnknownAndStoredWholeOrNotAtAll(Fault fault) {
    TenantId tenant = newTenant();
    String collection = "lost_" + fault.name().toLowerCase(java.util.Locale.ROOT);
    fs.collections()
        .declare(
            dev.flowstore.CollectionSpec.of(collection)
                .withIndexed(dev.flowstore.IndexedField.string("/status")));
    var data = JSON.objectNode().put("status", "open");
    faulty.records(tenant).create(collection, dev.flowstore.NewRecord.of("first", data));
    String key = QueueWakeups.feedKey(tenant.value());
    long before = faulty.wakeups().generation(key);
    faults.arm(fault, 0, 1);
    FlowstoreException e;
    try {
      e =
          org.junit.jupiter.api.Assertions.assertThrows(
              FlowstoreException.class,
              () ->
                  faulty
                      .records(tenant)
                      .create(collection, dev.flowstore.NewRecord.of("lost", data)));
    } finally {
      faults.disarm();
    }
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(faulty.wakeups().generation(key)).isNotEqualTo(before);
    boolean committed = fault == Fault.LOST_AFTER_COMMIT;
    assertThat(fs.records(tenant).get(collection, "lost").isPresent()).isEqualTo(committed);
    if (committed) assertThat(fs.records(tenant).history(collection, "lost", 0, 10)).hasSize(1);
    fs.records(tenant).create(collection, dev.flowstore.NewRecord.of("next", data));
    assertThat(fs.events(tenant).readAll(0, 10, null))
        .extracting(RecordedEvent::position)
        .containsExactlyElementsOf(committed ? List.of(1L, 2L, 3L) : List.of(1L, 2L));
  }

  @Test
  void aTenantFirstSeenInATransactionThatRolledBackIsRegisteredByItsNextWrite() {
    TenantId tenant = newTenant();
    try {
      fs.inTransaction(
          tenant,
          tx -> {
            // registers the tenant, then sees its own (uncommitted) row
            tx.queue().enqueue(NewJob.of("q", "work", JSON.objectNode()));
            tx.queue().enqueue(NewJob.of("q", "work", JSON.objectNode()));
            throw new IllegalStateException("roll back");
          });
    } catch (IllegalStateException expected) {
      // rolled back
    }
    assertThat(fs.tenants()).doesNotContain(tenant);
    fs.queue(tenant).enqueue(NewJob.of("q", "work", JSON.objectNode()));
    assertThat(fs.tenants()).contains(tenant);
  }

  /**
   * After-commit steps (cache invalidations, deferred Redis enqueues, wake-ups) all run even when
   * one throws an Error, and the committed write stays committed.
   */
  @Test
  void anErrorInOneAfterCommitStepDoesNotSkipTheOthers() {
    TenantId tenant = newTenant();
    List<String> ran = new ArrayList<>();
    Throwable thrown = null;
    try {
      jdbc()
          .write(
              tenant,
              c -> {
                jdbc()
                    .afterCommit(
                        () -> {
                          ran.add("first");
                          throw new AssertionError("boom");
                        });
                jdbc().afterCommit(() -> ran.add("second"));
                jdbc().registerTenant(c, tenant);
                return null;
              });
    } catch (Throwable t) {
      thrown = t;
    }
    assertThat(thrown).isInstanceOf(AssertionError.class).hasMessage("boom");
    assertThat(ran).containsExactly("first", "second");
    assertThat(fs.tenants()).contains(tenant);
  }

  /**
   * Every tenant leaves a trace in the process's maps (known tenants, reap throttle, wake-up
   * generations, group-commit lanes); after many tenants have come and gone idle they stay bounded.
   */
  @Test
  void perTenantMapsStayBoundedAfterManyTenants() throws Exception {
    // past every bound (1024 remembered tenants, 1024 idle wake-up keys, reap entries a second old)
    int tenants = Integer.getInteger("flowstore.test.manyTenants", 2500);
    String run = Long.toString(System.nanoTime(), 36);
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++)
        workers.add(
            pool.submit(
                () -> {
                  for (int i; (i = next.getAndIncrement()) < tenants; ) {
                    TenantId t = TenantId.of("many-" + run + "-" + i);
                    clock.advance(Duration.ofMillis(10));
                    fs.events(t).append("s", ExpectedVersion.ANY, List.of(event(i)));
                    var q = fs.queue(t);
                    q.enqueue(NewJob.of("q", "work", JSON.objectNode()));
                    Lease l = q.lease("q", 1, Duration.ofMinutes(1)).get(0);
                    q.ack(l.jobId(), l.token());
                  }
                  return null;
                }));
      for (Future<?> f : workers) f.get(20, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    assertThat(fs.tenants()).hasSizeGreaterThanOrEqualTo(tenants);
    JdbcFlowstore jdbc = jdbc();
    assertThat(jdbc.appends().lanes()).isZero();
    assertThat(jdbc.acks().lanes()).isZero();
    assertThat(jdbc.knownTenantCount()).isLessThanOrEqualTo(1024);
    assertThat(jdbc.reapThrottleSize()).isLessThanOrEqualTo(1025);
    assertThat(jdbc.wakeups().size()).isLessThanOrEqualTo(1025);
  }
}
