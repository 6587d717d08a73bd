package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Task;
import dev.flowstore.Task.Status;
import dev.flowstore.Tasks;
import dev.flowstore.TenantId;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The async task contract: every backend subclasses this. */
public abstract class TasksContract extends FlowstoreTestBase {
  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  private static void assertIllegal(Runnable r, Status from, Status to) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.UNPROCESSABLE);
              assertThat(e.getMessage()).contains(from.name(), to.name());
            });
  }

  @Test
  void runsATaskFromPendingToCompletedWithProgress() {
    Tasks tasks = fs.tasks(newTenant());
    UUID session = UUID.randomUUID();
    Task t = tasks.create("render.video", session);
    assertThat(t.status()).isEqualTo(Status.PENDING);
    assertThat(t.progress()).isEqualByComparingTo("0");
    assertThat(t.sessionId()).isEqualTo(session);
    assertThat(t.startedAt()).isNull();
    Task running = tasks.start(t.taskId());
    assertThat(running.status()).isEqualTo(Status.RUNNING);
    assertThat(running.startedAt()).isNotNull();
    assertThat(tasks.progress(t.taskId(), new BigDecimal("12.5")).progress())
        .isEqualTo(new BigDecimal("12.50"));
    assertThat(tasks.progress(t.taskId(), new BigDecimal("33.333")).progress())
        .isEqualTo(new BigDecimal("33.33"));
    assertThat(tasks.progress(t.taskId(), new BigDecimal("100")).progress())
        .isEqualTo(new BigDecimal("100.00"));
    assertThat(tasks.progress(t.taskId(), BigDecimal.ZERO).progress())
        .isEqualTo(new BigDecimal("0.00"));
    Task done =
        tasks.complete(t.taskId(), JsonNodeFactory.instance.objectNode().put("url", "s3://x"));
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.progress()).isEqualTo(new BigDecimal("100.00"));
    assertThat(done.result().get("url").asText()).isEqualTo("s3://x");
    assertThat(done.completedAt()).isNotNull();
    assertThat(done.updatedAt()).isAfterOrEqualTo(done.createdAt());
    assertThat(tasks.get(t.taskId())).contains(done);
  }

  @Test
  void failAndCancelAreFinal() {
    Tasks tasks = fs.tasks(newTenant());
    Task a = tasks.create("a", null);
    assertThat(a.sessionId()).isNull();
    tasks.start(a.taskId());
    Task failed = tasks.fail(a.taskId(), "upstream 500");
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).isEqualTo("upstream 500");
    Task b = tasks.create("b", null);
    assertThat(tasks.cancel(b.taskId()).status()).isEqualTo(Status.CANCELLED);
    Task c = tasks.create("c", null);
    tasks.start(c.taskId());
    assertThat(tasks.cancel(c.taskId()).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void illegalTransitionsAreRejectedNamingBothStatuses() {
    Tasks tasks = fs.tasks(newTenant());
    Task t = tasks.create("x", null);
    assertIllegal(() -> tasks.complete(t.taskId(), null), Status.PENDING, Status.COMPLETED);
    assertIllegal(() -> tasks.fail(t.taskId(), "e"), Status.PENDING, Status.FAILED);
    assertCode(() -> tasks.progress(t.taskId(), BigDecimal.TEN), ErrorCode.UNPROCESSABLE);
    tasks.start(t.taskId());
    assertIllegal(() -> tasks.start(t.taskId()), Status.RUNNING, Status.RUNNING);
    tasks.complete(t.taskId(), null);
    assertIllegal(() -> tasks.start(t.taskId()), Status.COMPLETED, Status.RUNNING);
    assertIllegal(() -> tasks.cancel(t.taskId()), Status.COMPLETED, Status.CANCELLED);
    assertIllegal(() -> tasks.fail(t.taskId(), "late"), Status.COMPLETED, Status.FAILED);
    assertCode(() -> tasks.progress(t.taskId(), BigDecimal.ONE), ErrorCode.UNPROCESSABLE);
    Task after = tasks.get(t.taskId()).orElseThrow();
    assertThat(after.status()).isEqualTo(Status.COMPLETED);
    assertThat(after.error()).isNull();
    assertCode(() -> tasks.start(UUID.randomUUID()), ErrorCode.NOT_FOUND);
  }

  @Test
  void progressOutsideZeroToHundredIsInvalid() {
    Tasks tasks = fs.tasks(newTenant());
    Task t = tasks.create("x", null);
    tasks.start(t.taskId());
    assertCode(
        () -> tasks.progress(t.taskId(), new BigDecimal("100.01")), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> tasks.progress(t.taskId(), new BigDecimal("-0.01")), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> tasks.progress(t.taskId(), null), ErrorCode.INVALID_ARGUMENT);
    assertThat(tasks.get(t.taskId()).orElseThrow().progress()).isEqualByComparingTo("0");
  }

  @Test
  void ofConcurrentTransitionsFromOneStatusExactlyOneSucceeds() throws Exception {
    Tasks tasks = fs.tasks(newTenant());
    Task t = tasks.create("x", null);
    var starts = Concurrently.race(8, i -> tasks.start(t.taskId()));
    assertThat(starts).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    assertThat(starts)
        .filteredOn(o -> !o.ok())
        .extracting(Concurrently.Outcome::code)
        .containsOnly("UNPROCESSABLE");
    var ends =
        Concurrently.race(
            8,
            i ->
                switch (i % 3) {
                  case 0 -> tasks.complete(t.taskId(), null);
                  case 1 -> tasks.fail(t.taskId(), "e" + i);
                  default -> tasks.cancel(t.taskId());
                });
    assertThat(ends).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    Task winner = ends.stream().filter(Concurrently.Outcome::ok).findFirst().orElseThrow().value();
    assertThat(tasks.get(t.taskId()).orElseThrow().status()).isEqualTo(winner.status());
  }

  @Test
  void listsNewestFirstBySessionAndStatus() {
    Tasks tasks = fs.tasks(newTenant());
    UUID s1 = UUID.randomUUID();
    Task a = tasks.create("a", s1);
    Task b = tasks.create("b", s1);
    Task c = tasks.create("c", UUID.randomUUID());
    tasks.start(b.taskId());
    assertThat(tasks.list(null, null, 10))
        .extracting(Task::taskType)
        .containsExactly("c", "b", "a");
    assertThat(tasks.list(s1, null, 10))
        .extracting(Task::taskId)
        .containsExactly(b.taskId(), a.taskId());
    assertThat(tasks.list(null, Status.PENDING, 10))
        .extracting(Task::taskId)
        .containsExactly(c.taskId(), a.taskId());
    assertThat(tasks.list(s1, Status.RUNNING, 10))
        .extracting(Task::taskId)
        .containsExactly(b.taskId());
    assertThat(tasks.list(null, null, 1)).hasSize(1);
  }

  @Test
  void anotherTenantsTaskIsNotFound() {
    TenantId a = newTenant();
    Task t = fs.tasks(a).create("x", null);
    Tasks ofB = fs.tasks(newTenant());
    assertThat(ofB.get(t.taskId())).isEmpty();
    assertThat(ofB.list(null, null, 10)).isEmpty();
    assertCode(() -> ofB.start(t.taskId()), ErrorCode.NOT_FOUND);
    assertCode(() -> ofB.cancel(t.taskId()), ErrorCode.NOT_FOUND);
    assertThat(fs.tasks(a).get(t.taskId()).orElseThrow().status()).isEqualTo(Status.PENDING);
  }

  @Test
  void badInputIsRejected() {
    Tasks tasks = fs.tasks(newTenant());
    assertCode(() -> tasks.create("bad type", null), ErrorCode.INVALID_ID);
    assertCode(() -> tasks.create(null, null), ErrorCode.INVALID_ID);
    assertCode(() -> tasks.get(null), ErrorCode.INVALID_ARGUMENT);
    Task t = tasks.create("x", null);
    tasks.start(t.taskId());
    assertCode(() -> tasks.fail(t.taskId(), null), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> tasks.complete(t.taskId(), JsonNodeFactory.instance.objectNode().put("k", "\u0000")),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            tasks.complete(
                t.taskId(),
                JsonNodeFactory.instance
                    .objectNode()
                    .put("k", "x".repeat(fs.config().maxPayloadBytes()))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> tasks.list(null, null, -1), ErrorCode.INVALID_ARGUMENT);
    assertThat(tasks.get(t.taskId()).orElseThrow().status()).isEqualTo(Status.RUNNING);
  }

  @Test
  void joinsACallersTransaction() {
    TenantId t = newTenant();
    UUID[] id = new UUID[1];
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      id[0] = tx.tasks().create("x", null).taskId();
                      tx.tasks().start(id[0]);
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.tasks(t).get(id[0])).isEmpty();
  }
}
