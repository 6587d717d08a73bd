package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AppendResult;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The event store contract. Every backend subclasses this (and {@link #events} may be overridden to
 * run each call inside a caller's transaction); the same scenarios must pass everywhere.
 */
public abstract class EventStoreContract extends FlowstoreTestBase {
  protected static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The store under test for a tenant; override to test another mode of access. */
  protected EventStore events(TenantId tenant) {
    return fs.events(tenant);
  }

  protected static EventData event(String type, int n) {
    ObjectNode payload = JSON.objectNode().put("n", n).put("text", "event " + n);
    return new EventData(null, type, payload, JSON.objectNode().put("source", "test"));
  }

  protected static List<EventData> events(String type, int count) {
    return IntStream.range(0, count).mapToObj(i -> event(type, i)).toList();
  }

  @Test
  void appendsToANewStreamFromVersionZeroWithGapFreePositions() {
    EventStore es = events(newTenant());
    AppendResult r = es.append("order-1", ExpectedVersion.NO_STREAM, events("order.placed", 3));
    assertThat(r.nextExpectedVersion()).isEqualTo(2);
    assertThat(r.replayed()).isFalse();
    assertThat(r.events()).extracting(RecordedEvent::version).containsExactly(0L, 1L, 2L);
    assertThat(r.events()).extracting(RecordedEvent::position).containsExactly(1L, 2L, 3L);
    AppendResult r2 = es.append("order-2", ExpectedVersion.ANY, events("order.placed", 2));
    assertThat(r2.events()).extracting(RecordedEvent::position).containsExactly(4L, 5L);
    assertThat(es.streamVersion("order-1")).isEqualTo(2);
    assertThat(es.streamVersion("order-404")).isEqualTo(-1);
  }

  @Test
  void storesPayloadMetadataAndTimeExactly() {
    EventStore es = events(newTenant());
    ObjectNode payload =
        JSON.objectNode()
            .put("price", new BigDecimal("10.10"))
            .put("big", new BigDecimal("12345678901234567890.000001"))
            .put("unicode", "日本語 \uD83D\uDE00")
            .putNull("nothing");
    payload.putArray("list").add(1).add(true).add("x");
    ObjectNode metadata =
        JSON.objectNode()
            .put("trace_id", "abc")
            .put("from_state", "a")
            .put("to_state", "b")
            .put("custom", 7);
    UUID id = UUID.randomUUID();
    Instant created = Instant.parse("2024-02-29T12:34:56.123456Z");
    es.append(
        "doc-1",
        ExpectedVersion.NO_STREAM,
        List.of(new EventData(id, "doc.created", payload, metadata, created)));
    RecordedEvent stored = es.readStream("doc-1", 0, 10, Direction.FORWARD).get(0);
    assertThat(stored.eventId()).isEqualTo(id);
    assertThat(stored.payload()).isEqualTo(payload);
    assertThat(stored.payload().get("price").decimalValue()).isEqualByComparingTo("10.10");
    assertThat(stored.metadata()).isEqualTo(metadata);
    assertThat(stored.createdAt()).isEqualTo(created);
    assertThat(stored.category()).isEqualTo("doc");
  }

  @Test
  void expectedVersionMismatchIsAConflictAndWritesNothing() {
    EventStore es = events(newTenant());
    es.append("s-1", ExpectedVersion.NO_STREAM, events("e", 2));
    assertConflict(
        () -> es.append("s-1", ExpectedVersion.NO_STREAM, events("e", 1)),
        ErrorCode.VERSION_CONFLICT);
    assertConflict(
        () -> es.append("s-1", ExpectedVersion.exact(0), events("e", 1)),
        ErrorCode.VERSION_CONFLICT);
    assertConflict(
        () -> es.append("s-1", ExpectedVersion.exact(5), events("e", 1)),
        ErrorCode.VERSION_CONFLICT);
    assertConflict(
        () -> es.append("s-2", ExpectedVersion.exact(0), events("e", 1)),
        ErrorCode.VERSION_CONFLICT);
    assertThat(es.streamVersion("s-1")).isEqualTo(1);
    assertThat(es.append("s-1", ExpectedVersion.exact(1), events("e", 1)).nextExpectedVersion())
        .isEqualTo(2);
    assertThat(es.append("s-1", ExpectedVersion.ANY, events("e", 1)).nextExpectedVersion())
        .isEqualTo(3);
    // the failed appends consumed no positions
    assertThat(es.readAll(0, 100, null))
        .extracting(RecordedEvent::position)
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void concurrentAppendsAtTheSameExpectedVersionHaveExactlyOneWinner() throws Exception {
    EventStore es = events(newTenant());
    es.append("race-1", ExpectedVersion.NO_STREAM, events("start", 1));
    int writers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Callable<String>> tasks = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      int n = i;
      tasks.add(
          () -> {
            go.await();
            try {
              es.append("race-1", ExpectedVersion.exact(0), List.of(event("racer", n)));
              return "won";
            } catch (FlowstoreException e) {
              return e.code().name();
            }
          });
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (Callable<String> t : tasks) results.add(pool.submit(t));
      go.countDown();
      List<String> outcomes = new ArrayList<>();
      for (Future<String> f : results) outcomes.add(f.get());
      assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
      assertThat(outcomes).filteredOn(o -> !o.equals("won")).containsOnly("VERSION_CONFLICT");
    } finally {
      pool.shutdownNow();
    }
    assertThat(es.readStream("race-1", 0, 100, Direction.FORWARD)).hasSize(2);
    // the losers took no positions (appends grouped into one transaction give theirs back)
    es.append("race-2", ExpectedVersion.NO_STREAM, events("after", 2));
    assertThat(es.readAll(0, 100, null))
        .extracting(RecordedEvent::position)
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void manyConcurrentAppendsOfOneTenantAllCommitWithGapFreePositions() throws Exception {
    TenantId tenant = newTenant();
    EventStore es = events(tenant);
    int writers = 32;
    int perWriter = 5;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String stream = "many-" + w;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  List<Long> positions = new ArrayList<>();
                  for (int i = 0; i < perWriter; i++) {
                    AppendResult r =
                        es.append(
                            stream,
                            i == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exact(i - 1),
                            List.of(event("e", i)));
                    assertThat(r.nextExpectedVersion()).isEqualTo(i);
                    positions.add(r.lastPosition());
                  }
                  return positions;
                }));
      }
      go.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) all.addAll(f.get());
      assertThat(all).containsExactlyInAnyOrderElementsOf(LongRange.closed(1, writers * perWriter));
    } finally {
      pool.shutdownNow();
    }
    List<RecordedEvent> feed = new ArrayList<>();
    for (List<RecordedEvent> page = es.readAll(0, 100, null);
        !page.isEmpty();
        page = es.readAll(page.get(page.size() - 1).position(), 100, null)) feed.addAll(page);
    assertThat(feed)
        .extracting(RecordedEvent::position)
        .containsExactlyElementsOf(LongRange.closed(1, writers * perWriter));
    for (int w = 0; w < writers; w++)
      assertThat(es.streamVersion("many-" + w)).isEqualTo(perWriter - 1);
  }

  @Test
  void reappendingTheSameEventIdsAtTheSamePlaceIsANoOp() {
    EventStore es = events(newTenant());
    List<EventData> batch =
        events("e", 3).stream().map(e -> e.withEventId(UUID.randomUUID())).toList();
    AppendResult first = es.append("idem-1", ExpectedVersion.NO_STREAM, batch);
    AppendResult again = es.append("idem-1", ExpectedVersion.NO_STREAM, batch);
    assertThat(again.replayed()).isTrue();
    assertThat(again.events())
        .extracting(RecordedEvent::eventId)
        .isEqualTo(first.events().stream().map(RecordedEvent::eventId).toList());
    assertThat(again.events())
        .extracting(RecordedEvent::position)
        .isEqualTo(first.events().stream().map(RecordedEvent::position).toList());
    assertThat(again.nextExpectedVersion()).isEqualTo(2);
    assertThat(es.append("idem-1", ExpectedVersion.ANY, batch).replayed()).isTrue();
    assertThat(es.readAll(0, 100, null)).hasSize(3);

    // the same ids elsewhere, or mixed with new ones, are conflicts and write nothing
    assertConflict(
        () -> es.append("idem-2", ExpectedVersion.ANY, batch), ErrorCode.EVENT_ID_CONFLICT);
    List<EventData> mixed = List.of(batch.get(0), event("e", 9).withEventId(UUID.randomUUID()));
    assertConflict(
        () -> es.append("idem-1", ExpectedVersion.ANY, mixed), ErrorCode.EVENT_ID_CONFLICT);
    assertConflict(
        () -> es.append("idem-1", ExpectedVersion.exact(2), batch), ErrorCode.EVENT_ID_CONFLICT);
    assertThat(es.readAll(0, 100, null)).hasSize(3);
  }

  @Test
  void readsAStreamForwardAndBackwardInPages() {
    EventStore es = events(newTenant());
    es.append("page-1", ExpectedVersion.NO_STREAM, events("e", 10));
    assertThat(es.readStream("page-1", 0, 4, Direction.FORWARD))
        .extracting(RecordedEvent::version)
        .containsExactly(0L, 1L, 2L, 3L);
    assertThat(es.readStream("page-1", 8, 4, Direction.FORWARD))
        .extracting(RecordedEvent::version)
        .containsExactly(8L, 9L);
    assertThat(es.readStream("page-1", Long.MAX_VALUE, 3, Direction.BACKWARD))
        .extracting(RecordedEvent::version)
        .containsExactly(9L, 8L, 7L);
    assertThat(es.readStream("page-1", 1, 5, Direction.BACKWARD))
        .extracting(RecordedEvent::version)
        .containsExactly(1L, 0L);
    assertThat(es.readStream("page-404", 0, 5, Direction.FORWARD)).isEmpty();
    List<Long> replayed = new ArrayList<>();
    es.replay("page-1", 3, e -> replayed.add(e.version()));
    assertThat(replayed).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void feedPagesAfterACursorAndFiltersByCategory() {
    EventStore es = events(newTenant());
    es.append("order-1", ExpectedVersion.NO_STREAM, events("o", 2));
    es.append("user-1", ExpectedVersion.NO_STREAM, events("u", 2));
    es.append("order-2", ExpectedVersion.NO_STREAM, events("o", 2));
    assertThat(es.readAll(0, 3, null))
        .extracting(RecordedEvent::position)
        .containsExactly(1L, 2L, 3L);
    assertThat(es.readAll(3, 100, null))
        .extracting(RecordedEvent::position)
        .containsExactly(4L, 5L, 6L);
    assertThat(es.readAll(0, 100, "order"))
        .extracting(RecordedEvent::stream)
        .containsExactly("order-1", "order-1", "order-2", "order-2");
    assertThat(es.readAll(2, 100, "order"))
        .extracting(RecordedEvent::position)
        .containsExactly(5L, 6L);
    assertThat(es.readAll(6, 100, null)).isEmpty();
  }

  @Test
  void aFeedReaderNeverSkipsAnEventThatCommitsAfterItPolled() throws Exception {
    TenantId tenant = newTenant();
    EventStore es = events(tenant);
    es.append("feed-0", ExpectedVersion.NO_STREAM, events("before", 1));
    CountDownLatch appended = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // a slow transaction appends and then stays open
      Future<?> slow =
          pool.submit(
              () ->
                  fs.inTransaction(
                      tenant,
                      tx -> {
                        tx.events()
                            .append("feed-slow", ExpectedVersion.NO_STREAM, events("slow", 2));
                        appended.countDown();
                        release.await();
                        return null;
                      }));
      appended.await();
      // later appends start while it is open
      List<Future<?>> later = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        later.add(
            pool.submit(
                () ->
                    fs.events(tenant)
                        .append("feed-later-" + n, ExpectedVersion.NO_STREAM, events("later", 2))));
      }
      // a reader polls meanwhile and must not move past anything uncommitted
      List<RecordedEvent> seen = new ArrayList<>();
      long cursor = 0;
      for (int poll = 0; poll < 20; poll++) {
        List<RecordedEvent> page = fs.events(tenant).readAll(cursor, 100, null);
        seen.addAll(page);
        if (!page.isEmpty()) cursor = page.get(page.size() - 1).position();
      }
      release.countDown();
      slow.get();
      for (Future<?> f : later) f.get();
      while (true) {
        List<RecordedEvent> page = fs.events(tenant).readAll(cursor, 100, null);
        if (page.isEmpty()) break;
        seen.addAll(page);
        cursor = page.get(page.size() - 1).position();
      }
      List<RecordedEvent> all = fs.events(tenant).readAll(0, 1000, null);
      assertThat(all).hasSize(1 + 2 + 3 * 2);
      assertThat(seen)
          .extracting(RecordedEvent::eventId)
          .containsExactlyElementsOf(all.stream().map(RecordedEvent::eventId).toList());
      assertThat(seen)
          .extracting(RecordedEvent::position)
          .containsExactlyElementsOf(LongRange.closed(1, all.size()));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  // --- long polling the feed (awaitAll) ---

  /** How long a test lets a woken waiter take to answer: far below its own timeout. */
  static final Duration PROMPTLY = Duration.ofSeconds(10);

  /** A waiter's timeout: far above {@link #PROMPTLY} and every backend's re-check interval. */
  static final Duration LONG_WAIT = Duration.ofSeconds(90);

  /**
   * The waiters asleep now ({@code flowstore.feed.waiters}): a test appends once its waiter sleeps,
   * so the append wakes it rather than its first read finding the event.
   */
  protected static double feedWaiters(Flowstore store) {
    return store.gauges().stream()
        .filter(g -> g.name().equals("flowstore.feed.waiters"))
        .mapToDouble(g -> g.value().getAsDouble())
        .reduce(Double::sum)
        .orElseThrow(() -> new AssertionError("the store reports no flowstore.feed.waiters gauge"));
  }

  static void awaitSleepers(Flowstore store, int n) {
    await().atMost(Duration.ofSeconds(60)).until(() -> feedWaiters(store) == n);
  }

  static CompletableFuture<List<RecordedEvent>> waitInBackground(
      EventStore store, long after, String category, Duration timeout) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return store.awaitAll(after, 100, category, timeout);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        Executors.newVirtualThreadPerTaskExecutor());
  }

  @Test
  void aFeedWaiterWakesAsSoonAsAnotherThreadAppends() throws Exception {
    TenantId tenant = newTenant();
    events(tenant).append("wake-1", ExpectedVersion.NO_STREAM, events("before", 1));
    CompletableFuture<List<RecordedEvent>> waiting =
        waitInBackground(fs.events(tenant), 1, null, LONG_WAIT);
    awaitSleepers(fs, 1);
    assertThat(waiting).isNotDone();

    events(tenant).append("wake-1", ExpectedVersion.exact(0), events("after", 2));

    List<RecordedEvent> page = waiting.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
    assertThat(page).extracting(RecordedEvent::position).containsExactly(2L, 3L);
    assertThat(page).extracting(RecordedEvent::type).containsOnly("after");
    await().atMost(Duration.ofSeconds(30)).until(() -> feedWaiters(fs) == 0);
  }

  @Test
  void aFeedWaiterOfACategoryKeepsWaitingThroughOtherCategories() throws Exception {
    TenantId tenant = newTenant();
    CompletableFuture<List<RecordedEvent>> waiting =
        waitInBackground(fs.events(tenant), 0, "invoice", LONG_WAIT);
    awaitSleepers(fs, 1);
    events(tenant).append("order-1", ExpectedVersion.NO_STREAM, events("placed", 1));
    // the order is not of its category: whether or not it woke the waiter, the waiter answers it
    // not
    awaitSleepers(fs, 1);
    events(tenant).append("invoice-1", ExpectedVersion.NO_STREAM, events("issued", 1));
    assertThat(waiting.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS))
        .extracting(RecordedEvent::stream, RecordedEvent::position)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("invoice-1", 2L));
  }

  @Test
  void aFeedWaiterWakesOnAnAppendThroughAnotherInstanceOfTheSameDatabase() throws Exception {
    TenantId tenant = newTenant();
    // why another Flowstore: its in-process signal cannot reach this one's waiters, as another
    // server's cannot (PostgreSQL: NOTIFY; SQLite, one process per file: the re-check)
    try (Flowstore other = Flowstore.open(fs.config(), clock)) {
      CompletableFuture<List<RecordedEvent>> waiting =
          waitInBackground(other.events(tenant), 0, null, LONG_WAIT);
      awaitSleepers(other, 1);
      events(tenant).append("elsewhere-1", ExpectedVersion.NO_STREAM, events("remote", 1));
      assertThat(waiting.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS))
          .extracting(RecordedEvent::type)
          .containsExactly("remote");
    }
  }

  @Test
  void anAppendOfAnotherTenantNeitherWakesNorFeedsAWaiter() throws Exception {
    TenantId a = newTenant();
    TenantId b = newTenant();
    CompletableFuture<List<RecordedEvent>> waitingA =
        waitInBackground(fs.events(a), 0, null, LONG_WAIT);
    awaitSleepers(fs, 1);
    events(b).append("other-1", ExpectedVersion.NO_STREAM, events("of-b", 3));
    assertThat(fs.events(b).awaitAll(0, 100, null, LONG_WAIT)).hasSize(3);
    // A still waits: B's events are not A's
    awaitSleepers(fs, 1);
    assertThat(waitingA).isNotDone();

    events(a).append("mine-1", ExpectedVersion.NO_STREAM, events("of-a", 1));
    assertThat(waitingA.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS))
        .extracting(RecordedEvent::type, RecordedEvent::position)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("of-a", 1L));
    // and a short wait of A past its own event answers empty at its timeout, whatever B appends
    events(b).append("other-1", ExpectedVersion.exact(2), events("of-b", 1));
    assertThat(fs.events(a).awaitAll(1, 100, null, Duration.ofMillis(300))).isEmpty();
  }

  @Test
  void manyFeedWaitersHoldNoConnection() throws Exception {
    TenantId tenant = newTenant();
    int n = 200;
    List<CompletableFuture<List<RecordedEvent>>> waiting = new ArrayList<>();
    for (int i = 0; i < n; i++)
      waiting.add(waitInBackground(fs.events(tenant), 0, null, LONG_WAIT));
    // far more waiters than the pools have connections sleep at once, and lend none
    awaitSleepers(fs, n);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> poolConnections(fs, "active") == 0 && poolConnections(fs, "pending") == 0);
    TenantId other = newTenant();
    events(other).append("busy-1", ExpectedVersion.NO_STREAM, events("meanwhile", 1));
    assertThat(fs.events(other).readAll(0, 10, null)).hasSize(1);
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    events(tenant).append("many-1", ExpectedVersion.NO_STREAM, events("for-all", 1));
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (CompletableFuture<List<RecordedEvent>> w : waiting)
      assertThat(w.get()).extracting(RecordedEvent::type).containsExactly("for-all");
  }

  private static double poolConnections(Flowstore store, String state) {
    return store.gauges().stream()
        .filter(g -> g.name().equals("flowstore.db.pool.connections"))
        .filter(g -> state.equals(g.tags().get("state")))
        .mapToDouble(g -> g.value().getAsDouble())
        .sum();
  }

  @Test
  void aFeedWaitAnswersAtOnceWhenEventsAreThereAndEmptyAtItsTimeout() throws Exception {
    TenantId tenant = newTenant();
    EventStore waiter = fs.events(tenant);
    assertThat(waiter.awaitAll(0, 10, null, Duration.ZERO)).isEmpty();
    assertThat(waiter.awaitAll(0, 10, null, Duration.ofMillis(200))).isEmpty();
    events(tenant).append("ready-1", ExpectedVersion.NO_STREAM, events("ready", 3));
    // a page is there: answered by the first read, the long timeout never matters
    assertThat(waiter.awaitAll(1, 10, null, LONG_WAIT))
        .extracting(RecordedEvent::position)
        .containsExactly(2L, 3L);
    assertThat(waiter.awaitAll(0, 2, null, LONG_WAIT)).hasSize(2);
  }

  @Test
  void aFeedWaitRejectsBadArgumentsAndRefusesToWaitInsideATransaction() {
    TenantId tenant = newTenant();
    EventStore waiter = fs.events(tenant);
    assertCode(() -> uncheck(() -> waiter.awaitAll(0, 10, null, null)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> uncheck(() -> waiter.awaitAll(0, 10, null, Duration.ofSeconds(-1))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> uncheck(() -> waiter.awaitAll(-1, 10, null, LONG_WAIT)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> uncheck(() -> waiter.awaitAll(0, 0, null, LONG_WAIT)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.inTransaction(tenant, tx -> tx.events().awaitAll(0, 10, null, LONG_WAIT)),
        ErrorCode.INVALID_ARGUMENT);
  }

  private interface Waiting {
    Object run() throws InterruptedException;
  }

  private static void uncheck(Waiting w) {
    try {
      w.run();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRolledBackTransactionLeavesNoEventAndNoPositionGap() {
    TenantId tenant = newTenant();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    tenant,
                    tx -> {
                      tx.events().append("rb-1", ExpectedVersion.NO_STREAM, events("e", 3));
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    EventStore es = events(tenant);
    assertThat(es.streamVersion("rb-1")).isEqualTo(-1);
    assertThat(
            es.append("rb-2", ExpectedVersion.NO_STREAM, events("e", 1)).events().get(0).position())
        .isEqualTo(1);
  }

  @Test
  void severalAppendsInOneTransactionCommitTogether() {
    TenantId tenant = newTenant();
    fs.inTransaction(
        tenant,
        tx -> {
          tx.events().append("a-1", ExpectedVersion.NO_STREAM, events("e", 1));
          tx.events().append("b-1", ExpectedVersion.NO_STREAM, events("e", 1));
          assertThat(tx.events().readAll(0, 10, null)).hasSize(2);
          return null;
        });
    assertThat(events(tenant).readAll(0, 10, null))
        .extracting(RecordedEvent::stream)
        .containsExactly("a-1", "b-1");
  }

  @Test
  void aTransactionCannotBeUsedAfterItsCallback() {
    TenantId tenant = newTenant();
    EventStore leaked = fs.inTransaction(tenant, tx -> tx.events());
    assertThatThrownBy(() -> leaked.streamVersion("x-1"))
        .isInstanceOf(FlowstoreException.class)
        .hasMessageContaining("ended");
  }

  @Test
  void badInputIsRejectedWithAStableCodeAndNothingIsWritten() {
    EventStore es = events(newTenant());
    ObjectNode nul = JSON.objectNode().put("text", "a\u0000b");
    ObjectNode nulKey = JSON.objectNode().put("k\u0000", 1);
    ObjectNode huge = JSON.objectNode().put("blob", "x".repeat(fs.config().maxPayloadBytes()));
    assertCode(
        () ->
            es.append("ok-1", ExpectedVersion.ANY, List.of(event("e", 1), EventData.of("e", nul))),
        ErrorCode.INVALID_JSON);
    assertCode(
        () -> es.append("ok-1", ExpectedVersion.ANY, List.of(EventData.of("e", nulKey))),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            es.append("ok-1", ExpectedVersion.ANY, List.of(event("e", 1), EventData.of("e", huge))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(
        () ->
            es.append("ok-1", ExpectedVersion.ANY, List.of(event("e", 1), EventData.of(" ", null))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> es.append("ok-1", ExpectedVersion.ANY, List.of()), ErrorCode.INVALID_ARGUMENT);
    UUID dup = UUID.randomUUID();
    assertCode(
        () ->
            es.append(
                "ok-1",
                ExpectedVersion.ANY,
                List.of(event("e", 1).withEventId(dup), event("e", 2).withEventId(dup))),
        ErrorCode.INVALID_ARGUMENT);
    for (String bad : new String[] {"", "-x", "a/b", "../etc", "a b", "x".repeat(201), "é"}) {
      assertCode(() -> es.append(bad, ExpectedVersion.ANY, events("e", 1)), ErrorCode.INVALID_ID);
      assertCode(() -> es.readStream(bad, 0, 10, Direction.FORWARD), ErrorCode.INVALID_ID);
    }
    assertCode(() -> es.readStream("ok-1", 0, -1, Direction.FORWARD), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> es.readStream("ok-1", -1, 10, Direction.FORWARD), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> es.readAll(-1, 10, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> es.readAll(0, 0, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> es.readAll(0, EventStore.MAX_PAGE + 1, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ExpectedVersion.exact(-2), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> TenantId.of("Bad Tenant"), ErrorCode.INVALID_TENANT);
    assertThat(es.readAll(0, 100, null)).isEmpty();
  }

  /** Positions 1..n. */
  private static final class LongRange {
    static List<Long> closed(long from, long to) {
      List<Long> out = new ArrayList<>();
      for (long i = from; i <= to; i++) out.add(i);
      return out;
    }
  }

  private static void assertConflict(Runnable r, ErrorCode code) {
    assertCode(r, code);
  }

  protected static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }
}
