package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Lease;
import dev.flowstore.OutboxMessage;
import dev.flowstore.OutboxMessage.Status;
import dev.flowstore.OutboxRelay;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay end to end: a change commits with its message, the relay publishes it into the
 * queue, a consumer de-duplicates on (event_id, consumer). Crashes of the relay and re-deliveries
 * of the queue change nothing: every event's side effect happens exactly once.
 */
public abstract class OutboxRelayContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @AfterEach
  void disarm() {
    Faults.clear();
  }

  /** Places an order: its event and its outbox message commit together. */
  private UUID placeOrder(TenantId t, int n) {
    UUID event = UUID.randomUUID();
    fs.inTransaction(
        t,
        tx -> {
          tx.events()
              .append(
                  "order-" + n,
                  ExpectedVersion.NO_STREAM,
                  List.of(
                      new EventData(event, "order.placed", JSON.objectNode().put("n", n), null)));
          return tx.outbox()
              .add(
                  "queue:billing",
                  JSON.objectNode().put("order", n),
                  JSON.objectNode().put("job_type", "charge").put("trace_id", "tr-" + n),
                  event);
        });
    return event;
  }

  /**
   * Consumes everything leasable from the billing queue once; the side effect is an event in
   * charges-<order>.
   */
  private int consumeAll(TenantId t, boolean ackAll) {
    int delivered = 0;
    while (true) {
      List<Lease> leases = fs.queue(t).lease("billing", 50, Duration.ofSeconds(30));
      if (leases.isEmpty()) return delivered;
      for (Lease lease : leases) {
        delivered++;
        fs.inTransaction(
            t,
            tx -> {
              if (tx.processed().markProcessed(lease.job().eventId(), "billing")) {
                int order = lease.job().payload().get("order").asInt();
                tx.events()
                    .append(
                        "charges-" + order,
                        ExpectedVersion.ANY,
                        List.of(EventData.of("charged", JSON.objectNode().put("order", order))));
              }
              return null;
            });
        if (ackAll) fs.queue(t).ack(lease.jobId(), lease.token());
      }
    }
  }

  private void assertEachOrderChargedOnce(TenantId t, int orders) {
    for (int n = 0; n < orders; n++)
      assertThat(fs.events(t).streamVersion("charges-" + n)).as("charges of order %d", n).isZero();
  }

  @Test
  void publishesIntoTheQueueAndMarksPublished() {
    TenantId t = newTenant();
    UUID event = placeOrder(t, 0);
    OutboxRelay relay = OutboxRelay.manual(fs);
    assertThat(relay.relay(t)).isEqualTo(1);
    assertThat(fs.outbox(t).list(Status.PUBLISHED, 10, null))
        .singleElement()
        .satisfies(m -> assertThat(m.eventId()).isEqualTo(event));
    List<Lease> leases = fs.queue(t).lease("billing", 10, Duration.ofSeconds(30));
    assertThat(leases)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.job().eventId()).isEqualTo(event);
              assertThat(l.job().jobType()).isEqualTo("charge");
              assertThat(l.job().traceId()).isEqualTo("tr-0");
              assertThat(l.job().payload().get("order").asInt()).isZero();
            });
    relay.relay(t);
    assertThat(fs.queue(t).lease("billing", 10, Duration.ofSeconds(30)))
        .as("published once")
        .isEmpty();
  }

  @Test
  void aRelayCrashMidBatchAndQueueRedeliveriesStillChargeEachOrderExactlyOnce() {
    TenantId t = newTenant();
    int orders = 12;
    for (int n = 0; n < orders; n++) placeOrder(t, n);
    // the relay dies while marking its batch, after enqueuing every job: the marks roll back
    Faults.arm(Faults.Point.OUTBOX_RELAY_MID_BATCH);
    assertThatThrownBy(() -> OutboxRelay.manual(fs).relay(t))
        .isInstanceOf(Faults.InjectedFault.class);
    assertThat(fs.outbox(t).list(Status.PUBLISHED, 100, null)).isEmpty();
    assertThat(fs.queue(t).stats())
        .as("the batch's jobs are enqueued")
        .singleElement()
        .extracting(QueueStats::ready)
        .isEqualTo((long) orders);
    assertThat(OutboxRelay.manual(fs).relay(t))
        .as("the dead relay's claim still holds the rest")
        .isZero();
    clock.advance(OutboxRelay.HOLD.plusSeconds(1));
    OutboxRelay.manual(fs).relay(t);
    assertThat(fs.outbox(t).list(Status.PENDING, 100, null)).isEmpty();
    assertThat(fs.outbox(t).list(Status.PUBLISHED, 100, null)).hasSize(orders);
    // a consumer that dies before acking: every job is delivered again after its lease runs out
    assertThat(consumeAll(t, false)).isEqualTo(orders);
    clock.advance(Duration.ofSeconds(31));
    assertThat(consumeAll(t, true)).isEqualTo(orders);
    assertEachOrderChargedOnce(t, orders);
  }

  @Test
  void aRelayCrashBetweenEnqueueAndMarkDoesNotEnqueueTwice() {
    TenantId t = newTenant();
    placeOrder(t, 0);
    Faults.arm(Faults.Point.OUTBOX_RELAY_BEFORE_MARK);
    assertThatThrownBy(() -> OutboxRelay.manual(fs).relay(t))
        .isInstanceOf(Faults.InjectedFault.class);
    assertThat(fs.outbox(t).list(Status.PENDING, 10, null)).as("not marked").hasSize(1);
    clock.advance(OutboxRelay.HOLD.plusSeconds(1));
    OutboxRelay.manual(fs).relay(t);
    assertThat(fs.outbox(t).list(Status.PUBLISHED, 10, null)).hasSize(1);
    assertThat(fs.queue(t).lease("billing", 10, Duration.ofSeconds(30)))
        .as("one job, not two")
        .hasSize(1);
  }

  @Test
  void concurrentRelaysPublishEachMessageOnce() throws Exception {
    TenantId t = newTenant();
    int orders = 150;
    for (int n = 0; n < orders; n++) placeOrder(t, n);
    int relays = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(relays);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int r = 0; r < relays; r++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return OutboxRelay.manual(fs).relay(t);
                }));
      }
      go.countDown();
      int published = 0;
      for (Future<Integer> f : results) published += f.get();
      assertThat(published).isEqualTo(orders);
    } finally {
      pool.shutdownNow();
    }
    Map<UUID, Integer> jobsPerEvent = new HashMap<>();
    for (List<Lease> page = fs.queue(t).lease("billing", 100, Duration.ofMinutes(5));
        !page.isEmpty();
        page = fs.queue(t).lease("billing", 100, Duration.ofMinutes(5))) {
      for (Lease l : page) jobsPerEvent.merge(l.job().eventId(), 1, Integer::sum);
    }
    assertThat(jobsPerEvent).hasSize(orders);
    assertThat(jobsPerEvent.values()).containsOnly(1);
  }

  @Test
  void aRunningRelayIsWokenByACommitLongBeforeItsPollInterval() {
    TenantId t = newTenant();
    placeOrder(t, 0);
    try (OutboxRelay relay = OutboxRelay.start(fs, Duration.ofMinutes(10))) {
      // the first message goes out in the relay's first round; after that it only polls every 10
      // minutes
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(fs.outbox(t).list(Status.PUBLISHED, 10, null)).hasSize(1));
      placeOrder(t, 1);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(fs.outbox(t).list(Status.PUBLISHED, 10, null)).hasSize(2));
    }
  }

  @Test
  void aMessageTheQueueRefusesBecomesFailedAndCanBeReplayed() {
    TenantId t = newTenant();
    OutboxMessage bad =
        fs.outbox(t)
            .add(
                "queue:billing",
                JSON.objectNode(),
                JSON.objectNode().put("job_type", "not a type!"),
                null);
    placeOrder(t, 1); // a good message in the same batch is published all the same
    assertThat(OutboxRelay.manual(fs).relay(t)).isEqualTo(1);
    OutboxMessage failed = fs.outbox(t).get(bad.messageId()).orElseThrow();
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.lastError()).contains("job_type");
    assertThat(fs.queue(t).lease("billing", 10, Duration.ofSeconds(30))).hasSize(1);
    fs.outbox(t).replay(bad.messageId());
    assertThat(fs.outbox(t).list(Status.PENDING, 10, null)).hasSize(1);
  }
}
