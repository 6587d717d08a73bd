package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Outbox;
import dev.flowstore.OutboxMessage;
import dev.flowstore.OutboxMessage.Status;
import dev.flowstore.OutboxStats;
import dev.flowstore.ProcessedMessages;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The outbox contract: written with the change, claimed by one relay at a time, marked, replayed;
 * consumer de-dup.
 */
public abstract class OutboxContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Duration HOLD = Duration.ofSeconds(30);

  private static ObjectNode payload(int n) {
    return JSON.objectNode().put("n", n);
  }

  @Test
  void aMessageCommitsOrRollsBackWithTheChangeItAnnounces() {
    TenantId t = newTenant();
    fs.inTransaction(
        t,
        tx -> {
          tx.events()
              .append(
                  "order-1",
                  ExpectedVersion.NO_STREAM,
                  List.of(EventData.of("placed", payload(1))));
          return tx.outbox()
              .add("queue:emails", payload(1), JSON.objectNode().put("job_type", "send"), null);
        });
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.events()
                          .append(
                              "order-2",
                              ExpectedVersion.NO_STREAM,
                              List.of(EventData.of("placed", payload(2))));
                      tx.outbox().add("queue:emails", payload(2), null, null);
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    List<OutboxMessage> pending = fs.outbox(t).list(Status.PENDING, 10, null);
    assertThat(pending)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.payload()).isEqualTo(payload(1));
              assertThat(m.eventId()).isEqualTo(m.messageId());
              assertThat(m.headers().get("job_type").asText()).isEqualTo("send");
            });
    assertThat(fs.outboxTenants()).contains(t);
  }

  @Test
  void claimMarkAndRetry() {
    Outbox outbox = fs.outbox(newTenant());
    UUID event = UUID.randomUUID();
    OutboxMessage a = outbox.add("queue:q", payload(1), null, event);
    OutboxMessage b = outbox.add("queue:q", payload(2), null, null);
    List<OutboxMessage> claimed = outbox.claim(10, HOLD);
    assertThat(claimed)
        .extracting(OutboxMessage::messageId)
        .containsExactly(a.messageId(), b.messageId());
    assertThat(claimed.get(0).eventId()).isEqualTo(event);
    assertThat(claimed).allSatisfy(m -> assertThat(m.attempts()).isEqualTo(1));
    assertThat(outbox.claim(10, HOLD)).as("held by the first claim").isEmpty();
    assertThat(outbox.markPublished(a.messageId())).isTrue();
    assertThat(outbox.markPublished(a.messageId())).as("only once").isFalse();
    assertThat(outbox.markFailed(b.messageId(), "broker down", Duration.ofSeconds(5))).isTrue();
    assertThat(outbox.claim(10, HOLD)).isEmpty();
    clock.advance(Duration.ofSeconds(6));
    List<OutboxMessage> retried = outbox.claim(10, HOLD);
    assertThat(retried)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageId()).isEqualTo(b.messageId());
              assertThat(m.attempts()).isEqualTo(2);
              assertThat(m.lastError()).isEqualTo("broker down");
            });
    assertThat(outbox.get(a.messageId()).orElseThrow().status()).isEqualTo(Status.PUBLISHED);
    assertThat(outbox.get(a.messageId()).orElseThrow().publishedAt()).isNotNull();
  }

  @Test
  void aClaimTakesAtMostMaxMessages() {
    Outbox outbox = fs.outbox(newTenant());
    for (int i = 0; i < 5; i++) outbox.add("queue:q", payload(i), null, null);
    assertThat(outbox.claim(1, HOLD)).hasSize(1);
    assertThat(outbox.claim(3, HOLD)).hasSize(3);
    assertThat(outbox.claim(3, HOLD)).hasSize(1);
  }

  @Test
  void aDeadRelaysClaimRunsOutAndTheMessageIsClaimedAgain() {
    Outbox outbox = fs.outbox(newTenant());
    OutboxMessage m = outbox.add("queue:q", payload(1), null, null);
    assertThat(outbox.claim(10, HOLD)).hasSize(1);
    clock.advance(HOLD.plusSeconds(1));
    assertThat(outbox.claim(10, HOLD))
        .extracting(OutboxMessage::messageId)
        .containsExactly(m.messageId());
  }

  @Test
  void failedMessagesCanBeListedAndReplayed() {
    Outbox outbox = fs.outbox(newTenant());
    OutboxMessage m = outbox.add("queue:q", payload(1), null, null);
    outbox.claim(1, HOLD);
    outbox.markFailed(m.messageId(), "no such queue", null);
    assertThat(outbox.list(Status.FAILED, 10, null))
        .extracting(OutboxMessage::lastError)
        .containsExactly("no such queue");
    assertThat(outbox.claim(10, HOLD)).isEmpty();
    OutboxMessage replayed = outbox.replay(m.messageId());
    assertThat(replayed.status()).isEqualTo(Status.PENDING);
    assertCode(() -> outbox.replay(m.messageId()), ErrorCode.UNPROCESSABLE);
    assertCode(() -> outbox.replay(UUID.randomUUID()), ErrorCode.NOT_FOUND);
    assertThat(outbox.claim(10, HOLD)).hasSize(1);
  }

  @Test
  void concurrentRelaysNeverClaimTheSameMessage() throws Exception {
    TenantId t = newTenant();
    Outbox outbox = fs.outbox(t);
    for (int i = 0; i < 200; i++) outbox.add("queue:q", payload(i), null, null);
    int relays = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(relays);
    try {
      List<Future<List<UUID>>> results = new ArrayList<>();
      for (int r = 0; r < relays; r++) {
        Callable<List<UUID>> relay =
            () -> {
              go.await();
              List<UUID> mine = new ArrayList<>();
              while (true) {
                List<OutboxMessage> batch = fs.outbox(t).claim(7, HOLD);
                if (batch.isEmpty()) return mine;
                for (OutboxMessage m : batch) {
                  mine.add(m.messageId());
                  fs.outbox(t).markPublished(m.messageId());
                }
              }
            };
        results.add(pool.submit(relay));
      }
      go.countDown();
      List<UUID> all = new ArrayList<>();
      for (Future<List<UUID>> f : results) all.addAll(f.get());
      assertThat(all).hasSize(200).doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
    assertThat(outbox.list(Status.PENDING, 10, null)).isEmpty();
  }

  @Test
  void listsPageInInsertionOrder() {
    Outbox outbox = fs.outbox(newTenant());
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) ids.add(outbox.add("queue:q", payload(i), null, null).messageId());
    List<OutboxMessage> first = outbox.list(Status.PENDING, 3, null);
    List<OutboxMessage> rest = outbox.list(Status.PENDING, 3, first.get(2).messageId());
    assertThat(first)
        .extracting(OutboxMessage::messageId)
        .containsExactlyElementsOf(ids.subList(0, 3));
    assertThat(rest)
        .extracting(OutboxMessage::messageId)
        .containsExactlyElementsOf(ids.subList(3, 5));
  }

  @Test
  void consumersDeduplicateInTheirOwnTransaction() throws Exception {
    TenantId t = newTenant();
    UUID event = UUID.randomUUID();
    ProcessedMessages processed = fs.processed(t);
    assertThat(processed.isProcessed(event, "billing")).isFalse();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      assertThat(tx.processed().markProcessed(event, "billing")).isTrue();
                      throw new IllegalStateException("side effect failed");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(processed.isProcessed(event, "billing"))
        .as("rolled back with the side effect")
        .isFalse();
    // eight concurrent deliveries of one message: the side effect happens once
    int deliveries = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(deliveries);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < deliveries; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return fs.inTransaction(
                      t,
                      tx -> {
                        if (!tx.processed().markProcessed(event, "billing")) return false;
                        tx.events()
                            .append(
                                "effects-1",
                                ExpectedVersion.ANY,
                                List.of(EventData.of("charged", payload(1))));
                        return true;
                      });
                }));
      }
      go.countDown();
      int applied = 0;
      for (Future<Boolean> f : results) if (f.get()) applied++;
      assertThat(applied).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(fs.events(t).streamVersion("effects-1")).isZero();
    assertThat(processed.markProcessed(event, "shipping")).as("per consumer").isTrue();
    assertThat(fs.processed(newTenant()).isProcessed(event, "billing")).as("per tenant").isFalse();
  }

  @Test
  void statsCountPendingAndFailedAndDateTheOldestPending() {
    TenantId tenant = newTenant();
    Outbox outbox = fs.outbox(tenant);
    assertThat(outbox.stats()).isEqualTo(new OutboxStats(0, 0, null));
    OutboxMessage first = outbox.add("queue:q", payload(1), null, null);
    clock.advance(Duration.ofSeconds(5));
    OutboxMessage second = outbox.add("queue:q", payload(2), null, null);
    OutboxMessage third = outbox.add("queue:q", payload(3), null, null);
    assertThat(outbox.markPublished(third.messageId())).isTrue();
    assertThat(outbox.markFailed(second.messageId(), "no such queue", null)).isTrue();
    assertThat(outbox.stats()).isEqualTo(new OutboxStats(1, 1, first.createdAt()));
    OutboxStats inTransaction = fs.inTransaction(tenant, tx -> tx.outbox().stats());
    assertThat(inTransaction).isEqualTo(new OutboxStats(1, 1, first.createdAt()));
    assertThat(fs.outbox(newTenant()).stats())
        .as("another tenant")
        .isEqualTo(new OutboxStats(0, 0, null));
    assertThat(outbox.markPublished(first.messageId())).isTrue();
    assertThat(outbox.stats()).isEqualTo(new OutboxStats(0, 1, null));
  }

  @Test
  void anotherTenantSeesNothing() {
    Outbox outbox = fs.outbox(newTenant());
    OutboxMessage m = outbox.add("queue:q", payload(1), null, null);
    Outbox other = fs.outbox(newTenant());
    assertThat(other.get(m.messageId())).isEmpty();
    assertThat(other.claim(10, HOLD)).isEmpty();
    assertThat(other.markPublished(m.messageId())).isFalse();
    assertCode(() -> other.replay(m.messageId()), ErrorCode.NOT_FOUND);
    assertThat(outbox.get(m.messageId()).orElseThrow().status()).isEqualTo(Status.PENDING);
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Outbox outbox = fs.outbox(newTenant());
    assertCode(() -> outbox.add("kafka:x", null, null, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> outbox.add("queue:", null, null, null), ErrorCode.INVALID_ID);
    assertCode(() -> outbox.add("queue:a b", null, null, null), ErrorCode.INVALID_ID);
    assertCode(
        () -> outbox.add("queue:q", JSON.objectNode().put("k", "\u0000"), null, null),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            outbox.add(
                "queue:q",
                JSON.objectNode().put("k", "x".repeat(fs.config().maxPayloadBytes())),
                null,
                null),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> outbox.claim(0, HOLD), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> outbox.claim(10, Duration.ZERO), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.processed(newTenant()).markProcessed(UUID.randomUUID(), "bad consumer"),
        ErrorCode.INVALID_ID);
    assertThat(outbox.list(Status.PENDING, 10, null)).isEmpty();
  }
}
