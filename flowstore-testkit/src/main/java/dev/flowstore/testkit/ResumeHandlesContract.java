package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.ResumeHandle;
import dev.flowstore.ResumeHandle.Status;
import dev.flowstore.ResumeHandles;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The resume handle contract: every backend subclasses this. */
public abstract class ResumeHandlesContract extends FlowstoreTestBase {
  private static ObjectNode answer(String value) {
    return JsonNodeFactory.instance.objectNode().put("answer", value);
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  private Instant inAnHour() {
    return clock.instant().plus(Duration.ofHours(1));
  }

  @Test
  void pausesAndResumesByCorrelationId() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    UUID session = UUID.randomUUID();
    ResumeHandle h = handles.create(session, "approval-1", null);
    assertThat(h.status()).isEqualTo(Status.PENDING_PAUSE);
    assertThat(h.sessionId()).isEqualTo(session);
    assertThat(handles.waiting("approval-1")).contains(h);
    ResumeHandle paused = handles.markPaused(h.handleId());
    assertThat(paused.status()).isEqualTo(Status.PAUSED);
    assertThat(paused.pausedAt()).isNotNull();
    ResumeHandle resumed = handles.resume("approval-1", answer("yes"));
    assertThat(resumed.handleId()).isEqualTo(h.handleId());
    assertThat(resumed.status()).isEqualTo(Status.RESUMED);
    assertThat(resumed.resumePayload()).isEqualTo(answer("yes"));
    assertThat(resumed.resumedAt()).isNotNull();
    assertThat(resumed.resumedBeforePause()).isFalse();
    assertThat(handles.waiting("approval-1")).isEmpty();
    assertThat(handles.get(h.handleId())).contains(resumed);
    assertCode(() -> handles.resume("approval-1", answer("again")), ErrorCode.UNPROCESSABLE);
    assertCode(() -> handles.resume("never-created", answer("x")), ErrorCode.NOT_FOUND);
    assertCode(() -> handles.markPaused(h.handleId()), ErrorCode.UNPROCESSABLE);
  }

  @Test
  void atMostOneWaitingHandlePerCorrelationId() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    ResumeHandle h = handles.create(UUID.randomUUID(), "c-1", null);
    assertCode(() -> handles.create(UUID.randomUUID(), "c-1", null), ErrorCode.UNPROCESSABLE);
    handles.markPaused(h.handleId());
    assertCode(() -> handles.create(UUID.randomUUID(), "c-1", null), ErrorCode.UNPROCESSABLE);
    handles.resume("c-1", null);
    ResumeHandle next = handles.create(UUID.randomUUID(), "c-1", null);
    assertThat(next.handleId()).isNotEqualTo(h.handleId());
    assertThat(handles.waiting("c-1")).contains(next);
  }

  @Test
  void concurrentCreatesOfOneCorrelationIdHaveExactlyOneWinner() throws Exception {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    var out = Concurrently.race(8, i -> handles.create(UUID.randomUUID(), "race", null));
    assertThat(out).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    assertThat(out)
        .filteredOn(o -> !o.ok())
        .extracting(Concurrently.Outcome::code)
        .containsOnly("UNPROCESSABLE");
  }

  @Test
  void concurrentResumesSucceedExactlyOnce() throws Exception {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    ResumeHandle h = handles.create(UUID.randomUUID(), "once", null);
    handles.markPaused(h.handleId());
    var out = Concurrently.race(8, i -> handles.resume("once", answer("from " + i)));
    assertThat(out).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    assertThat(out)
        .filteredOn(o -> !o.ok())
        .extracting(Concurrently.Outcome::code)
        .containsOnly("UNPROCESSABLE");
    ResumeHandle winner =
        out.stream().filter(Concurrently.Outcome::ok).findFirst().orElseThrow().value();
    assertThat(handles.get(h.handleId()).orElseThrow().resumePayload())
        .isEqualTo(winner.resumePayload());
  }

  @Test
  void aResumeBeforeThePauseCompletesIsKeptAndDeliveredByMarkPaused() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    ResumeHandle h = handles.create(UUID.randomUUID(), "early", null);
    ResumeHandle resumed = handles.resume("early", answer("fast"));
    assertThat(resumed.status()).isEqualTo(Status.RESUMED);
    assertThat(resumed.resumedBeforePause()).isTrue();
    assertCode(() -> handles.resume("early", answer("second")), ErrorCode.UNPROCESSABLE);
    ResumeHandle atPause = handles.markPaused(h.handleId());
    assertThat(atPause.status()).isEqualTo(Status.RESUMED);
    assertThat(atPause.resumedBeforePause()).isTrue();
    assertThat(atPause.resumePayload()).isEqualTo(answer("fast"));
    assertThat(handles.markPaused(h.handleId()).resumePayload()).isEqualTo(answer("fast"));
  }

  @Test
  void concurrentResumeAndPauseAlwaysDeliverThePayloadOnce() throws Exception {
    for (int round = 0; round < 5; round++) {
      ResumeHandles handles = fs.resumeHandles(newTenant());
      ResumeHandle h = handles.create(UUID.randomUUID(), "mix", null);
      var out =
          Concurrently.race(
              2,
              i -> i == 0 ? handles.resume("mix", answer("go")) : handles.markPaused(h.handleId()));
      assertThat(out).allMatch(Concurrently.Outcome::ok);
      ResumeHandle end = handles.get(h.handleId()).orElseThrow();
      assertThat(end.status()).isEqualTo(Status.RESUMED);
      assertThat(end.resumePayload()).isEqualTo(answer("go"));
      ResumeHandle pauseResult = out.get(1).value();
      // either the pause came first (PAUSED, then resumed normally) or it learned of the early
      // resume
      if (pauseResult.status() == Status.RESUMED)
        assertThat(pauseResult.resumePayload()).isEqualTo(answer("go"));
      else assertThat(end.resumedBeforePause()).isFalse();
    }
  }

  @Test
  void expireMarksDueWaitingHandlesAtTheGivenTime() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    Instant soon = clock.instant().plus(Duration.ofMinutes(10));
    ResumeHandle due = handles.create(UUID.randomUUID(), "due", soon);
    handles.markPaused(due.handleId());
    ResumeHandle dueToo = handles.create(UUID.randomUUID(), "due-too", soon);
    ResumeHandle later = handles.create(UUID.randomUUID(), "later", soon.plus(Duration.ofDays(1)));
    ResumeHandle never = handles.create(UUID.randomUUID(), "never", null);
    ResumeHandle done = handles.create(UUID.randomUUID(), "done", soon);
    handles.resume("done", null);
    assertThat(handles.expire(soon.minusSeconds(1))).isZero();
    assertThat(handles.expire(soon.plusSeconds(1))).isEqualTo(2);
    assertThat(handles.get(due.handleId()).orElseThrow().status()).isEqualTo(Status.EXPIRED);
    assertThat(handles.get(dueToo.handleId()).orElseThrow().status()).isEqualTo(Status.EXPIRED);
    assertThat(handles.get(later.handleId()).orElseThrow().status())
        .isEqualTo(Status.PENDING_PAUSE);
    assertThat(handles.get(never.handleId()).orElseThrow().status())
        .isEqualTo(Status.PENDING_PAUSE);
    assertThat(handles.get(done.handleId()).orElseThrow().status()).isEqualTo(Status.RESUMED);
    assertThat(handles.expire(soon.plusSeconds(1))).isZero();
    assertCode(() -> handles.resume("due", answer("late")), ErrorCode.UNPROCESSABLE);
    assertCode(() -> handles.markPaused(dueToo.handleId()), ErrorCode.UNPROCESSABLE);
    // the correlation id is free again
    assertThat(handles.create(UUID.randomUUID(), "due", null).status())
        .isEqualTo(Status.PENDING_PAUSE);
  }

  @Test
  void listsASessionsHandlesNewestFirst() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    UUID session = UUID.randomUUID();
    ResumeHandle a = handles.create(session, "l-1", null);
    ResumeHandle b = handles.create(session, "l-2", null);
    handles.create(UUID.randomUUID(), "l-3", null);
    assertThat(handles.list(session, 10))
        .extracting(ResumeHandle::handleId)
        .containsExactly(b.handleId(), a.handleId());
  }

  @Test
  void anotherTenantCannotSeeOrResume() {
    TenantId a = newTenant();
    ResumeHandle h = fs.resumeHandles(a).create(UUID.randomUUID(), "shared", null);
    ResumeHandles ofB = fs.resumeHandles(newTenant());
    assertThat(ofB.get(h.handleId())).isEmpty();
    assertThat(ofB.waiting("shared")).isEmpty();
    assertCode(() -> ofB.resume("shared", null), ErrorCode.NOT_FOUND);
    assertCode(() -> ofB.markPaused(h.handleId()), ErrorCode.NOT_FOUND);
    assertThat(ofB.expire(clock.instant().plus(Duration.ofDays(365)))).isZero();
    assertThat(ofB.create(UUID.randomUUID(), "shared", null).status())
        .isEqualTo(Status.PENDING_PAUSE);
    assertThat(fs.resumeHandles(a).get(h.handleId()).orElseThrow().status())
        .isEqualTo(Status.PENDING_PAUSE);
  }

  @Test
  void badInputIsRejected() {
    ResumeHandles handles = fs.resumeHandles(newTenant());
    assertCode(() -> handles.create(null, "c", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> handles.create(UUID.randomUUID(), "bad id", null), ErrorCode.INVALID_ID);
    assertCode(
        () -> handles.create(UUID.randomUUID(), "c", clock.instant().minusSeconds(5)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(handles.waiting("c")).isEmpty();
    handles.create(UUID.randomUUID(), "c", inAnHour());
    assertCode(
        () -> handles.resume("c", JsonNodeFactory.instance.objectNode().put("k", "\u0000")),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            handles.resume(
                "c",
                JsonNodeFactory.instance
                    .objectNode()
                    .put("k", "x".repeat(fs.config().maxPayloadBytes()))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(handles.waiting("c").orElseThrow().status()).isEqualTo(Status.PENDING_PAUSE);
    assertCode(() -> handles.expire(null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> handles.list(UUID.randomUUID(), 0), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void joinsACallersTransaction() {
    TenantId t = newTenant();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.resumeHandles().create(UUID.randomUUID(), "tx", null);
                      // a taken correlation id is reported without breaking the transaction
                      assertThatThrownBy(
                              () -> tx.resumeHandles().create(UUID.randomUUID(), "tx", null))
                          .isInstanceOf(FlowstoreException.class);
                      assertThat(tx.resumeHandles().waiting("tx")).isPresent();
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.resumeHandles(t).waiting("tx")).isEmpty();
  }
}
