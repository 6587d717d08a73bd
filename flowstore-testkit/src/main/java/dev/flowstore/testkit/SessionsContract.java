package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewSession;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The sessions contract: state machine, optimistic concurrency, event per change, replay, TTL. */
public abstract class SessionsContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static ObjectNode obj(String k, Object v) {
    return JSON.objectNode().put(k, String.valueOf(v));
  }

  @Test
  void createRecordsTheSessionAndItsCreatedEventTogether() {
    Sessions sessions = fs.sessions(newTenant());
    Session s =
        sessions.create(
            NewSession.builder()
                .initialState("draft")
                .stage("intake")
                .state(obj("k", 1))
                .metadata(obj("owner", "ann"))
                .ttlSeconds(600)
                .build());
    assertThat(s.status()).isEqualTo(SessionStatus.ACTIVE);
    assertThat(s.version()).isZero();
    assertThat(s.expiresAt()).isEqualTo(s.createdAt().plusSeconds(600));
    assertThat(sessions.get(s.sessionId())).get().isEqualTo(s);
    List<RecordedEvent> history = sessions.history(s.sessionId(), 0, 100);
    assertThat(history)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("session.created");
              assertThat(e.stream()).isEqualTo(Sessions.streamOf(s.sessionId()));
              assertThat(e.metadata().get("to_state").asText()).isEqualTo("draft");
              assertThat(e.metadata().get("from_state").isNull()).isTrue();
            });
  }

  @Test
  void paramsAreValidatedAgainstTheFlowsParamSchema() {
    TenantId t = newTenant();
    fs.flows(t).register("review", null, null, FlowsContract.YAML, FlowsContract.schema());
    Sessions sessions = fs.sessions(t);
    Session ok =
        sessions.create(
            NewSession.builder().flow("review", null).params(obj("doc_id", "d1")).build());
    assertThat(ok.flowVersion()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                sessions.create(
                    NewSession.builder()
                        .flow("review", null)
                        .params(JSON.objectNode().put("doc_id", 5))
                        .build()))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("doc_id");
            });
    assertThatThrownBy(
            () ->
                sessions.create(
                    NewSession.builder().flow("review", null).params(JSON.objectNode()).build()))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.getMessage()).contains("doc_id"));
    assertCode(
        () -> sessions.create(NewSession.builder().flow("missing", null).build()),
        ErrorCode.NOT_FOUND);
    assertCode(
        () ->
            sessions.create(
                NewSession.builder().flow("review", 7).params(obj("doc_id", "d")).build()),
        ErrorCode.NOT_FOUND);
    assertThat(sessions.list(null, null, 100, null).sessions()).hasSize(1);
  }

  @Test
  void changesNeedTheExpectedVersionAndEachOneIsAnEvent() {
    Sessions sessions = fs.sessions(newTenant());
    Session s0 = sessions.create(NewSession.builder().build());
    Session s1 =
        sessions.change(
            s0.sessionId(),
            0,
            SessionChange.to("review")
                .withState(obj("step", 1))
                .withPayload(obj("by", "bot"))
                .withTraceId("tr-9"));
    assertThat(s1.version()).isEqualTo(1);
    assertThat(s1.currentState()).isEqualTo("review");
    assertCode(
        () -> sessions.change(s0.sessionId(), 0, SessionChange.to("lost")),
        ErrorCode.VERSION_CONFLICT);
    assertCode(
        () -> sessions.change(s0.sessionId(), 5, SessionChange.to("lost")),
        ErrorCode.VERSION_CONFLICT);
    assertThat(sessions.get(s0.sessionId())).get().isEqualTo(s1);
    List<RecordedEvent> history = sessions.history(s0.sessionId(), 0, 100);
    assertThat(history)
        .extracting(RecordedEvent::type)
        .containsExactly("session.created", "session.changed");
    RecordedEvent changed = history.get(1);
    assertThat(changed.metadata().get("from_state").asText()).isEqualTo("start");
    assertThat(changed.metadata().get("to_state").asText()).isEqualTo("review");
    assertThat(changed.payload().get("payload")).isEqualTo(obj("by", "bot"));
    assertThat(changed.metadata().get("trace_id").asText()).isEqualTo("tr-9");
  }

  @Test
  void concurrentChangesAtTheSameVersionHaveExactlyOneWinner() throws Exception {
    Sessions sessions = fs.sessions(newTenant());
    Session s = sessions.create(NewSession.builder().build());
    int n = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        Callable<String> task =
            () -> {
              go.await();
              try {
                sessions.change(s.sessionId(), 0, SessionChange.to("s" + k));
                return "won";
              } catch (FlowstoreException e) {
                return e.code().name();
              }
            };
        results.add(pool.submit(task));
      }
      go.countDown();
      List<String> outcomes = new ArrayList<>();
      for (Future<String> f : results) outcomes.add(f.get());
      assertThat(outcomes).filteredOn("won"::equals).hasSize(1);
      assertThat(outcomes).filteredOn(o -> !o.equals("won")).containsOnly("VERSION_CONFLICT");
    } finally {
      pool.shutdownNow();
    }
    assertThat(sessions.get(s.sessionId()).orElseThrow().version()).isEqualTo(1);
    assertThat(sessions.history(s.sessionId(), 0, 100)).hasSize(2);
  }

  @Test
  void anEndedSessionAcceptsNoMoreChanges() {
    Sessions sessions = fs.sessions(newTenant());
    Session s = sessions.create(NewSession.builder().build());
    Session done =
        sessions.change(
            s.sessionId(), 0, SessionChange.to("done").withStatus(SessionStatus.COMPLETED));
    assertThat(done.status()).isEqualTo(SessionStatus.COMPLETED);
    assertThat(done.completedAt()).isEqualTo(done.updatedAt());
    assertCode(
        () -> sessions.change(s.sessionId(), 1, SessionChange.to("again")),
        ErrorCode.UNPROCESSABLE);
    assertCode(
        () ->
            sessions.change(
                s.sessionId(), 1, SessionChange.to("x").withStatus(SessionStatus.ACTIVE)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(sessions.history(s.sessionId(), 0, 10))
        .extracting(RecordedEvent::type)
        .containsExactly("session.created", "session.completed");
  }

  @Test
  void replayRebuildsTheSessionAtEveryVersion() {
    Sessions sessions = fs.sessions(newTenant());
    List<Session> versions = new ArrayList<>();
    versions.add(
        sessions.create(
            NewSession.builder().state(obj("n", 0)).params(obj("p", 1)).ttlSeconds(3600).build()));
    UUID id = versions.get(0).sessionId();
    versions.add(sessions.change(id, 0, SessionChange.to("a").withState(obj("n", 1))));
    versions.add(sessions.change(id, 1, SessionChange.to("b").withStage("middle")));
    versions.add(sessions.change(id, 2, new SessionChange(null, null, null, obj("n", 3), null)));
    versions.add(
        sessions.change(
            id,
            3,
            SessionChange.to("end")
                .withStatus(SessionStatus.FAILED)
                .withPayload(obj("error", "boom"))));
    for (Session v : versions) assertThat(sessions.getAsOf(id, v.version())).isEqualTo(v);
    assertThat(sessions.get(id)).get().isEqualTo(versions.get(4));
    assertCode(() -> sessions.getAsOf(id, 5), ErrorCode.NOT_FOUND);
    assertCode(() -> sessions.getAsOf(id, -1), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> sessions.getAsOf(UUID.randomUUID(), 0), ErrorCode.NOT_FOUND);
  }

  /**
   * A stream named like a session's but written through the event API (no session.created at
   * version 0) is not a session: as-of answers NOT_FOUND, not an internal error (found by chaos
   * scenario 8).
   */
  @Test
  void asOfOnAStreamThatIsNoSessionIsNotFound() {
    TenantId tenant = newTenant();
    UUID id = UUID.randomUUID();
    fs.events(tenant)
        .append(
            Sessions.streamOf(id),
            dev.flowstore.ExpectedVersion.ANY,
            List.of(dev.flowstore.EventData.of("not.a.session", obj("n", 1))));
    assertCode(() -> fs.sessions(tenant).getAsOf(id, 0), ErrorCode.NOT_FOUND);
  }

  @Test
  void listsNewestFirstWithFiltersAndCursorPaging() {
    TenantId t = newTenant();
    fs.flows(t).register("f", null, null, FlowsContract.YAML, null);
    Sessions sessions = fs.sessions(t);
    List<UUID> created = new ArrayList<>();
    for (int i = 0; i < 5; i++)
      created.add(
          sessions
              .create(NewSession.builder().flow(i % 2 == 0 ? "f" : null, null).build())
              .sessionId());
    sessions.change(created.get(1), 0, SessionChange.to("x").withStatus(SessionStatus.ABANDONED));
    Set<UUID> seen = new HashSet<>();
    List<Session> ordered = new ArrayList<>();
    String cursor = null;
    do {
      Sessions.Page page = sessions.list(null, null, 2, cursor);
      assertThat(page.sessions().size()).isLessThanOrEqualTo(2);
      for (Session s : page.sessions()) assertThat(seen.add(s.sessionId())).isTrue();
      ordered.addAll(page.sessions());
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
    for (int i = 1; i < ordered.size(); i++)
      assertThat(ordered.get(i - 1).createdAt()).isAfterOrEqualTo(ordered.get(i).createdAt());
    assertThat(sessions.list(SessionStatus.ABANDONED, null, 10, null).sessions())
        .extracting(Session::sessionId)
        .containsExactly(created.get(1));
    assertThat(sessions.list(null, "f", 10, null).sessions()).hasSize(3);
    assertThat(sessions.list(SessionStatus.ACTIVE, "f", 10, null).sessions()).hasSize(3);
    assertCode(() -> sessions.list(null, null, 10, "garbage!"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> sessions.list(null, null, 0, null), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void theSweeperExpiresSessionsWhoseTtlRanOutWithoutSleeping() {
    Sessions sessions = fs.sessions(newTenant());
    Session s = sessions.create(NewSession.builder().ttlSeconds(60).build());
    Session keep = sessions.create(NewSession.builder().build());
    Instant created = s.createdAt();
    assertThat(sessions.expireDue(created.plusSeconds(30), 100)).isZero();
    Session touched = sessions.change(s.sessionId(), 0, SessionChange.to("busy"));
    assertThat(touched.expiresAt()).isEqualTo(touched.updatedAt().plusSeconds(60));
    assertThat(sessions.expireDue(touched.updatedAt().plusSeconds(59), 100)).isZero();
    assertThat(sessions.expireDue(touched.updatedAt().plusSeconds(61), 100)).isEqualTo(1);
    Session expired = sessions.get(s.sessionId()).orElseThrow();
    assertThat(expired.status()).isEqualTo(SessionStatus.EXPIRED);
    assertThat(expired.version()).isEqualTo(2);
    assertThat(sessions.history(s.sessionId(), 0, 10))
        .extracting(RecordedEvent::type)
        .endsWith("session.expired");
    assertThat(sessions.get(keep.sessionId()).orElseThrow().status())
        .isEqualTo(SessionStatus.ACTIVE);
    assertThat(sessions.expireDue(touched.updatedAt().plusSeconds(3600), 100)).isZero();
  }

  @Test
  void aRolledBackTransactionLeavesNeitherSessionNorEvent() {
    TenantId t = newTenant();
    UUID id = UUID.randomUUID();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.sessions().create(NewSession.builder().sessionId(id).build());
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(fs.sessions(t).get(id)).isEmpty();
    assertThat(fs.events(t).readAll(0, 10, null)).isEmpty();
  }

  @Test
  void creatingWithASuppliedIdIsIdempotent() {
    Sessions sessions = fs.sessions(newTenant());
    UUID id = UUID.randomUUID();
    Session first = sessions.create(NewSession.builder().sessionId(id).params(obj("a", 1)).build());
    assertThat(sessions.create(NewSession.builder().sessionId(id).params(obj("a", 1)).build()))
        .isEqualTo(first);
    assertCode(
        () -> sessions.create(NewSession.builder().sessionId(id).params(obj("a", 2)).build()),
        ErrorCode.VERSION_CONFLICT);
    assertThat(sessions.history(id, 0, 10)).hasSize(1);
  }

  @Test
  void sessionsAreScopedToTheirTenant() {
    Session s = fs.sessions(newTenant()).create(NewSession.builder().build());
    Sessions other = fs.sessions(newTenant());
    assertThat(other.get(s.sessionId())).isEmpty();
    assertCode(() -> other.change(s.sessionId(), 0, SessionChange.to("x")), ErrorCode.NOT_FOUND);
    assertCode(() -> other.history(s.sessionId(), 0, 10), ErrorCode.NOT_FOUND);
    assertCode(() -> other.getAsOf(s.sessionId(), 0), ErrorCode.NOT_FOUND);
    assertThat(other.list(null, null, 10, null).sessions()).isEmpty();
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Sessions sessions = fs.sessions(newTenant());
    Session s = sessions.create(NewSession.builder().build());
    int max = fs.config().maxPayloadBytes();
    assertCode(
        () -> sessions.change(s.sessionId(), 0, SessionChange.to(" ")), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            sessions.change(s.sessionId(), 0, SessionChange.to("a").withState(obj("k", "a\u0000"))),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            sessions.change(
                s.sessionId(), 0, SessionChange.to("a").withState(obj("k", "x".repeat(max)))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(
        () -> sessions.create(NewSession.builder().ttlSeconds(0).build()),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> sessions.create(NewSession.builder().flow("bad flow", null).build()),
        ErrorCode.INVALID_ID);
    assertCode(
        () -> sessions.create(NewSession.builder().params(obj("k", "\u0000")).build()),
        ErrorCode.INVALID_JSON);
    assertThat(sessions.get(s.sessionId()).orElseThrow().version()).isZero();
    assertThat(sessions.list(null, null, 10, null).sessions()).hasSize(1);
  }
}
