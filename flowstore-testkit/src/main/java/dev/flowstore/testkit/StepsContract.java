package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Recorded;
import dev.flowstore.StepAttempt;
import dev.flowstore.StepAttempt.Status;
import dev.flowstore.Steps;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The step log (node runs + idempotency log) contract: every backend subclasses this. */
public abstract class StepsContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static ObjectNode obj(String key, Object value) {
    return JSON.objectNode().put(key, String.valueOf(value));
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  @Test
  void recordsARunningAttemptAndChecksIt() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    Recorded<StepAttempt> r =
        steps.record(NewStepAttempt.running(session, "fetch", 1, obj("url", "https://x")));
    assertThat(r.duplicate()).isFalse();
    StepAttempt a = r.value();
    assertThat(a.status()).isEqualTo(Status.RUNNING);
    assertThat(a.input()).isEqualTo(obj("url", "https://x"));
    assertThat(a.output()).isNull();
    assertThat(a.finishedAt()).isNull();
    assertThat(a.startedAt()).isNotNull();
    assertThat(steps.check(session, "fetch", 1)).contains(a);
    assertThat(steps.check(session, "fetch", 2)).isEmpty();
    assertThat(steps.check(UUID.randomUUID(), "fetch", 1)).isEmpty();
  }

  @Test
  void recordingTheSameAttemptAgainReturnsTheStoredOneAsADuplicate() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    StepAttempt first = steps.record(NewStepAttempt.running(session, "s", 1, obj("n", 1))).value();
    Recorded<StepAttempt> again =
        steps.record(
            new NewStepAttempt(
                session, "s", 1, Status.SUCCEEDED, obj("n", 2), obj("out", 1), null, null));
    assertThat(again.duplicate()).isTrue();
    assertThat(again.value()).isEqualTo(first);
    assertThat(steps.record(NewStepAttempt.running(session, "s", 2, null)).duplicate()).isFalse();
  }

  @Test
  void concurrentRecordsOfOneAttemptHaveExactlyOneWinner() throws Exception {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    List<Concurrently.Outcome<Recorded<StepAttempt>>> out =
        Concurrently.race(
            8, i -> steps.record(NewStepAttempt.running(session, "race", 1, obj("worker", i))));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out).filteredOn(o -> !o.value().duplicate()).hasSize(1);
    StepAttempt winner =
        out.stream().filter(o -> !o.value().duplicate()).findFirst().orElseThrow().value().value();
    assertThat(out).allSatisfy(o -> assertThat(o.value().value()).isEqualTo(winner));
    assertThat(steps.list(session, 100)).hasSize(1);
  }

  @Test
  void recordsAFinishedAttemptInOneStepAsAnIdempotencyLogEntry() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    StepAttempt a =
        steps
            .record(
                new NewStepAttempt(
                    session, "charge", 1, Status.SUCCEEDED, null, null, "sha256:abc", null))
            .value();
    assertThat(a.resultHash()).isEqualTo("sha256:abc");
    assertThat(a.finishedAt()).isNotNull();
    StepAttempt b =
        steps
            .record(
                new NewStepAttempt(
                    session, "charge", 2, Status.SUCCEEDED, null, obj("ok", true), null, null))
            .value();
    assertThat(b.resultHash()).matches("[0-9a-f]{64}");
    assertThat(steps.check(session, "charge", 2).orElseThrow().output()).isEqualTo(obj("ok", true));
  }

  @Test
  void finishMovesARunningAttemptToATerminalStatusOnce() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    steps.record(NewStepAttempt.running(session, "s", 1, null));
    StepAttempt done =
        steps.finish(session, "s", 1, Status.SUCCEEDED, obj("answer", 42), null, null);
    assertThat(done.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(done.output()).isEqualTo(obj("answer", 42));
    assertThat(done.resultHash()).matches("[0-9a-f]{64}");
    assertThat(done.finishedAt()).isNotNull();
    assertThatThrownBy(() -> steps.finish(session, "s", 1, Status.FAILED, null, null, "boom"))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE);
              assertThat(e.getMessage()).contains("SUCCEEDED", "FAILED");
            });
    assertThat(steps.check(session, "s", 1)).contains(done);
    steps.record(NewStepAttempt.running(session, "s", 2, null));
    StepAttempt failed = steps.finish(session, "s", 2, Status.FAILED, null, null, "timeout");
    assertThat(failed.error()).isEqualTo("timeout");
    assertCode(
        () -> steps.finish(session, "s", 3, Status.SUCCEEDED, null, null, null),
        ErrorCode.NOT_FOUND);
    assertCode(
        () -> steps.finish(session, "s", 2, Status.RUNNING, null, null, null),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void concurrentFinishesOfOneAttemptHaveExactlyOneWinner() throws Exception {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    steps.record(NewStepAttempt.running(session, "s", 1, null));
    var out =
        Concurrently.race(
            6,
            i ->
                steps.finish(
                    session,
                    "s",
                    1,
                    i % 2 == 0 ? Status.SUCCEEDED : Status.FAILED,
                    obj("by", i),
                    null,
                    null));
    assertThat(out).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    assertThat(out)
        .filteredOn(o -> !o.ok())
        .extracting(Concurrently.Outcome::code)
        .containsOnly("UNPROCESSABLE");
    StepAttempt winner =
        out.stream().filter(Concurrently.Outcome::ok).findFirst().orElseThrow().value();
    assertThat(steps.check(session, "s", 1)).contains(winner);
  }

  @Test
  void listsASessionsAttemptsInRecordingOrder() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    steps.record(NewStepAttempt.running(session, "a", 1, null));
    steps.record(NewStepAttempt.running(session, "a", 2, null));
    steps.record(NewStepAttempt.running(session, "b", 1, null));
    steps.record(NewStepAttempt.running(UUID.randomUUID(), "a", 1, null));
    assertThat(steps.list(session, 100))
        .extracting(StepAttempt::step, StepAttempt::attempt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 1),
            org.assertj.core.groups.Tuple.tuple("a", 2),
            org.assertj.core.groups.Tuple.tuple("b", 1));
    assertThat(steps.list(session, 2)).hasSize(2);
  }

  @Test
  void anotherTenantSeesNothingAndKeepsItsOwnLog() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    UUID session = UUID.randomUUID();
    fs.steps(a).record(NewStepAttempt.running(session, "s", 1, obj("t", "a")));
    Steps ofB = fs.steps(b);
    assertThat(ofB.check(session, "s", 1)).isEmpty();
    assertThat(ofB.list(session, 10)).isEmpty();
    assertCode(
        () -> ofB.finish(session, "s", 1, Status.SUCCEEDED, null, null, null), ErrorCode.NOT_FOUND);
    assertThat(ofB.record(NewStepAttempt.running(session, "s", 1, obj("t", "b"))).duplicate())
        .isFalse();
    assertThat(fs.steps(a).check(session, "s", 1).orElseThrow().input()).isEqualTo(obj("t", "a"));
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Steps steps = fs.steps(newTenant());
    UUID session = UUID.randomUUID();
    assertCode(
        () -> steps.record(NewStepAttempt.running(session, "s", 0, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> steps.record(NewStepAttempt.running(session, "bad step!", 1, null)),
        ErrorCode.INVALID_ID);
    assertCode(
        () -> steps.record(NewStepAttempt.running(session, "", 1, null)), ErrorCode.INVALID_ID);
    assertCode(
        () -> steps.record(NewStepAttempt.running(null, "s", 1, null)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> steps.record(new NewStepAttempt(session, "s", 1, null, null, null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            steps.record(
                new NewStepAttempt(session, "s", 1, Status.RUNNING, null, obj("o", 1), null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> steps.record(NewStepAttempt.running(session, "s", 1, obj("nul", "a\u0000b"))),
        ErrorCode.INVALID_JSON);
    String big = "x".repeat(fs.config().maxPayloadBytes() + 1);
    assertCode(
        () -> steps.record(NewStepAttempt.running(session, "s", 1, obj("big", big))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(
        () ->
            steps.record(
                new NewStepAttempt(session, "s", 1, Status.FAILED, null, null, null, "a\u0000")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> steps.list(session, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> steps.check(session, "s", -1), ErrorCode.INVALID_ARGUMENT);
    assertThat(steps.list(session, 10)).isEmpty();
  }

  @Test
  void joinsACallersTransaction() {
    TenantId t = newTenant();
    UUID session = UUID.randomUUID();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.steps().record(NewStepAttempt.running(session, "s", 1, null));
                      assertThat(tx.steps().check(session, "s", 1)).isPresent();
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.steps(t).check(session, "s", 1)).isEmpty();
    fs.inTransaction(t, tx -> tx.steps().record(NewStepAttempt.running(session, "s", 1, null)));
    assertThat(fs.steps(t).check(session, "s", 1)).isPresent();
  }
}
