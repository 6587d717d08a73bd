package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Command;
import dev.flowstore.Command.Status;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Recorded;
import dev.flowstore.TenantId;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The command inbox contract: every backend subclasses this. */
public abstract class CommandsContract extends FlowstoreTestBase {
  private static ObjectNode payload(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  @Test
  void receivesAndProcessesACommand() {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    Recorded<Command> r = inbox.submit(session, "approve", payload(1), null);
    assertThat(r.duplicate()).isFalse();
    Command c = r.value();
    assertThat(c.status()).isEqualTo(Status.RECEIVED);
    assertThat(c.payload()).isEqualTo(payload(1));
    assertThat(c.idempotencyKey()).isNull();
    assertThat(inbox.get(c.commandId())).contains(c);
    assertThat(inbox.startProcessing(c.commandId()).status()).isEqualTo(Status.PROCESSING);
    Command done = inbox.complete(c.commandId());
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.updatedAt()).isAfterOrEqualTo(c.updatedAt());
    Command other = inbox.submit(session, "reject", null, null).value();
    assertThat(other.payload()).isEqualTo(JsonNodeFactory.instance.objectNode());
    inbox.startProcessing(other.commandId());
    Command failed = inbox.fail(other.commandId(), "no such order");
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).isEqualTo("no such order");
  }

  @Test
  void aDuplicateOfAnActiveCommandReturnsTheExistingOne() {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    Command first = inbox.submit(session, "approve", payload(1), null).value();
    Recorded<Command> dup = inbox.submit(session, "approve", payload(2), null);
    assertThat(dup.duplicate()).isTrue();
    assertThat(dup.value()).isEqualTo(first);
    inbox.startProcessing(first.commandId());
    assertThat(inbox.submit(session, "approve", payload(3), null).value().commandId())
        .isEqualTo(first.commandId());
    // another type or session is not a duplicate
    assertThat(inbox.submit(session, "cancel", payload(1), null).duplicate()).isFalse();
    assertThat(inbox.submit(UUID.randomUUID(), "approve", payload(1), null).duplicate()).isFalse();
    // once finished, the same command may be received again
    inbox.complete(first.commandId());
    Recorded<Command> again = inbox.submit(session, "approve", payload(4), null);
    assertThat(again.duplicate()).isFalse();
    assertThat(again.value().commandId()).isNotEqualTo(first.commandId());
  }

  @Test
  void concurrentSubmitsOfOneCommandStoreExactlyOne() throws Exception {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    var out = Concurrently.race(8, i -> inbox.submit(session, "approve", payload(i), null));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out).filteredOn(o -> !o.value().duplicate()).hasSize(1);
    UUID id = out.get(0).value().value().commandId();
    assertThat(out).allSatisfy(o -> assertThat(o.value().value().commandId()).isEqualTo(id));
    assertThat(inbox.list(session, null, 10)).hasSize(1);
  }

  @Test
  void concurrentSubmitsWithOneIdempotencyKeyStoreExactlyOne() throws Exception {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    var out = Concurrently.race(8, i -> inbox.submit(session, "approve", payload(7), "req-42"));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out).filteredOn(o -> !o.value().duplicate()).hasSize(1);
    assertThat(inbox.list(session, null, 10)).hasSize(1);
  }

  @Test
  void anIdempotencyKeyReturnsTheSameCommandEvenAfterItFinished() {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    Command c = inbox.submit(session, "approve", payload(1), "key-1").value();
    assertThat(c.idempotencyKey()).isEqualTo("key-1");
    inbox.startProcessing(c.commandId());
    inbox.complete(c.commandId());
    Recorded<Command> again = inbox.submit(session, "approve", payload(1), "key-1");
    assertThat(again.duplicate()).isTrue();
    assertThat(again.value().commandId()).isEqualTo(c.commandId());
    assertThat(again.value().status()).isEqualTo(Status.COMPLETED);
    assertCode(
        () -> inbox.submit(session, "approve", payload(2), "key-1"),
        ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assertCode(
        () -> inbox.submit(UUID.randomUUID(), "approve", payload(1), "key-1"),
        ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assertThat(inbox.list(session, null, 10)).hasSize(1);
  }

  @Test
  void illegalTransitionsAreRejectedAndConcurrentTakesHaveOneWinner() throws Exception {
    Commands inbox = fs.commands(newTenant());
    Command c = inbox.submit(UUID.randomUUID(), "x", null, null).value();
    assertCode(() -> inbox.complete(c.commandId()), ErrorCode.UNPROCESSABLE);
    assertCode(() -> inbox.fail(c.commandId(), "e"), ErrorCode.UNPROCESSABLE);
    var takes = Concurrently.race(8, i -> inbox.startProcessing(c.commandId()));
    assertThat(takes).filteredOn(Concurrently.Outcome::ok).hasSize(1);
    assertThat(takes)
        .filteredOn(o -> !o.ok())
        .extracting(Concurrently.Outcome::code)
        .containsOnly("UNPROCESSABLE");
    inbox.complete(c.commandId());
    assertThatThrownBy(() -> inbox.startProcessing(c.commandId()))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> assertThat(e.getMessage()).contains("COMPLETED", "PROCESSING"));
    assertCode(() -> inbox.fail(c.commandId(), "late"), ErrorCode.UNPROCESSABLE);
    assertCode(() -> inbox.complete(UUID.randomUUID()), ErrorCode.NOT_FOUND);
  }

  @Test
  void listsASessionsCommandsNewestFirstWithAStatusFilter() {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    Command a = inbox.submit(session, "a", null, null).value();
    Command b = inbox.submit(session, "b", null, null).value();
    inbox.submit(UUID.randomUUID(), "a", null, null);
    inbox.startProcessing(a.commandId());
    assertThat(inbox.list(session, null, 10))
        .extracting(Command::commandId)
        .containsExactly(b.commandId(), a.commandId());
    assertThat(inbox.list(session, Status.PROCESSING, 10))
        .extracting(Command::commandId)
        .containsExactly(a.commandId());
    assertThat(inbox.list(session, Status.COMPLETED, 10)).isEmpty();
  }

  @Test
  void anotherTenantSeesNothingAndHasItsOwnKeysAndActiveCommands() {
    TenantId a = newTenant();
    UUID session = UUID.randomUUID();
    Command c = fs.commands(a).submit(session, "approve", payload(1), "k").value();
    Commands ofB = fs.commands(newTenant());
    assertThat(ofB.get(c.commandId())).isEmpty();
    assertThat(ofB.list(session, null, 10)).isEmpty();
    assertCode(() -> ofB.startProcessing(c.commandId()), ErrorCode.NOT_FOUND);
    assertThat(ofB.submit(session, "approve", payload(2), "k").duplicate()).isFalse();
    assertThat(fs.commands(a).get(c.commandId()).orElseThrow().status()).isEqualTo(Status.RECEIVED);
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Commands inbox = fs.commands(newTenant());
    UUID session = UUID.randomUUID();
    assertCode(() -> inbox.submit(null, "x", null, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> inbox.submit(session, "bad type", null, null), ErrorCode.INVALID_ID);
    assertCode(() -> inbox.submit(session, "x", null, "bad key!"), ErrorCode.INVALID_ID);
    assertCode(
        () ->
            inbox.submit(
                session, "x", JsonNodeFactory.instance.objectNode().put("k", "\u0000"), null),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            inbox.submit(
                session,
                "x",
                JsonNodeFactory.instance
                    .objectNode()
                    .put("k", "x".repeat(fs.config().maxPayloadBytes())),
                null),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> inbox.list(session, null, 0), ErrorCode.INVALID_ARGUMENT);
    assertThat(inbox.list(session, null, 10)).isEmpty();
    Command c = inbox.submit(session, "x", null, null).value();
    inbox.startProcessing(c.commandId());
    assertCode(() -> inbox.fail(c.commandId(), " "), ErrorCode.INVALID_ARGUMENT);
    assertThat(inbox.get(c.commandId()).orElseThrow().status()).isEqualTo(Status.PROCESSING);
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
                      tx.commands().submit(session, "x", null, null);
                      assertThat(tx.commands().submit(session, "x", null, null).duplicate())
                          .isTrue();
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.commands(t).list(session, null, 10)).isEmpty();
  }
}
