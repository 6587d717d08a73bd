package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Checkpoint;
import dev.flowstore.Checkpoints;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.TenantId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The checkpoints contract: every backend subclasses this. */
public abstract class CheckpointsContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static ObjectNode data(int n) {
    return JSON.objectNode().put("n", n).put("price", new BigDecimal("10.10")).put("text", "日本語");
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  @Test
  void savesAChainAndReadsLatestByIdAndNewestFirst() {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID session = UUID.randomUUID();
    assertThat(cps.latest(session)).isEmpty();
    Checkpoint root =
        cps.save(session, NewCheckpoint.of(null, data(0), JSON.objectNode().put("step", "start")));
    assertThat(root.checkpointId()).isNotBlank();
    assertThat(root.parentCheckpointId()).isNull();
    assertThat(root.data()).isEqualTo(data(0));
    assertThat(root.metadata()).isEqualTo(JSON.objectNode().put("step", "start"));
    Checkpoint second =
        cps.save(session, new NewCheckpoint("cp-2", root.checkpointId(), data(1), null, null));
    Checkpoint third =
        cps.save(
            session,
            new NewCheckpoint("cp-3", "cp-2", data(2), new byte[] {0, 1, 2, (byte) 255}, null));
    assertThat(second.sequence()).isGreaterThan(root.sequence());
    assertThat(third.sequence()).isGreaterThan(second.sequence());
    assertThat(second.metadata()).isEqualTo(JSON.objectNode());
    assertThat(third.bytes()).containsExactly(0, 1, 2, 255);
    assertThat(cps.latest(session).orElseThrow().checkpointId()).isEqualTo("cp-3");
    assertThat(cps.get(session, "cp-2").orElseThrow().parentCheckpointId())
        .isEqualTo(root.checkpointId());
    assertThat(cps.get(session, "cp-404")).isEmpty();
    assertThat(cps.list(session, Long.MAX_VALUE, 10))
        .extracting(Checkpoint::checkpointId)
        .containsExactly("cp-3", "cp-2", root.checkpointId());
  }

  @Test
  void listPagesNewestFirstBySequence() {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID session = UUID.randomUUID();
    String parent = null;
    for (int i = 0; i < 7; i++)
      parent =
          cps.save(session, new NewCheckpoint("c" + i, parent, data(i), null, null)).checkpointId();
    cps.save(UUID.randomUUID(), new NewCheckpoint("c0", null, data(0), null, null));
    List<String> seen = new ArrayList<>();
    long before = Long.MAX_VALUE;
    while (true) {
      List<Checkpoint> page = cps.list(session, before, 3);
      page.forEach(c -> seen.add(c.checkpointId()));
      if (page.size() < 3) break;
      before = page.get(page.size() - 1).sequence();
    }
    assertThat(seen).containsExactly("c6", "c5", "c4", "c3", "c2", "c1", "c0");
  }

  @Test
  void aResumeTokenFindsItsCheckpointOnlyInItsTenant() {
    TenantId t = newTenant();
    UUID session = UUID.randomUUID();
    Checkpoint cp =
        fs.checkpoints(t).save(session, new NewCheckpoint("here", null, data(1), null, null));
    String token = cp.resumeToken();
    assertThat(token).doesNotContain(":", "/", "+", "=");
    assertThat(fs.checkpoints(t).resume(token)).contains(cp);
    assertThat(fs.checkpoints(newTenant()).resume(token)).isEmpty();
    assertCode(() -> fs.checkpoints(t).resume("not-a-token"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> fs.checkpoints(t).resume(""), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> fs.checkpoints(t).resume(null), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void checkpointsAreAppendOnlyButASameContentRetryIsIdempotent() {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID session = UUID.randomUUID();
    Checkpoint cp = cps.save(session, new NewCheckpoint("a", null, data(1), new byte[] {7}, null));
    Checkpoint retry =
        cps.save(session, new NewCheckpoint("a", null, data(1), new byte[] {7}, null));
    assertThat(retry.sequence()).isEqualTo(cp.sequence());
    assertThat(retry.createdAt()).isEqualTo(cp.createdAt());
    assertCode(
        () -> cps.save(session, new NewCheckpoint("a", null, data(2), new byte[] {7}, null)),
        ErrorCode.UNPROCESSABLE);
    assertCode(
        () -> cps.save(session, new NewCheckpoint("a", null, data(1), new byte[] {8}, null)),
        ErrorCode.UNPROCESSABLE);
    assertThat(cps.get(session, "a").orElseThrow().data()).isEqualTo(data(1));
    assertThat(cps.list(session, Long.MAX_VALUE, 10)).hasSize(1);
  }

  @Test
  void aParentMustBeACheckpointOfTheSameSession() {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID s1 = UUID.randomUUID();
    UUID s2 = UUID.randomUUID();
    cps.save(s1, new NewCheckpoint("p", null, data(1), null, null));
    assertCode(
        () -> cps.save(s2, new NewCheckpoint("child", "p", data(2), null, null)),
        ErrorCode.UNPROCESSABLE);
    assertCode(
        () -> cps.save(s1, new NewCheckpoint("child", "nope", data(2), null, null)),
        ErrorCode.UNPROCESSABLE);
    assertThat(cps.latest(s2)).isEmpty();
  }

  @Test
  void concurrentSavesOfOneSessionAllLandWithDistinctSequences() throws Exception {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID session = UUID.randomUUID();
    var out =
        Concurrently.race(
            8, i -> cps.save(session, new NewCheckpoint("w" + i, null, data(i), null, null)));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(out).extracting(o -> o.value().sequence()).doesNotHaveDuplicates();
    assertThat(cps.list(session, Long.MAX_VALUE, 100)).hasSize(8);
  }

  @Test
  void anotherTenantSeesNothing() {
    TenantId a = newTenant();
    UUID session = UUID.randomUUID();
    fs.checkpoints(a).save(session, new NewCheckpoint("x", null, data(1), null, null));
    Checkpoints ofB = fs.checkpoints(newTenant());
    assertThat(ofB.latest(session)).isEmpty();
    assertThat(ofB.get(session, "x")).isEmpty();
    assertThat(ofB.list(session, Long.MAX_VALUE, 10)).isEmpty();
    // b cannot hang a checkpoint under a's
    assertCode(
        () -> ofB.save(session, new NewCheckpoint("y", "x", data(2), null, null)),
        ErrorCode.UNPROCESSABLE);
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Checkpoints cps = fs.checkpoints(newTenant());
    UUID session = UUID.randomUUID();
    int max = fs.config().maxPayloadBytes();
    assertCode(
        () -> cps.save(null, NewCheckpoint.of(null, data(1), null)), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> cps.save(session, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> cps.save(session, NewCheckpoint.of(null, null, null)), ErrorCode.INVALID_JSON);
    assertCode(
        () -> cps.save(session, new NewCheckpoint("bad id", null, data(1), null, null)),
        ErrorCode.INVALID_ID);
    assertCode(
        () -> cps.save(session, NewCheckpoint.of("bad parent", data(1), null)),
        ErrorCode.INVALID_ID);
    assertCode(
        () -> cps.save(session, NewCheckpoint.of(null, JSON.objectNode().put("k", "\u0000"), null)),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            cps.save(
                session, NewCheckpoint.of(null, JSON.objectNode().put("k", "x".repeat(max)), null)),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(
        () -> cps.save(session, new NewCheckpoint(null, null, data(1), new byte[max + 1], null)),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> cps.list(session, Long.MAX_VALUE, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> cps.list(session, Long.MAX_VALUE, 1001), ErrorCode.INVALID_ARGUMENT);
    assertThat(cps.latest(session)).isEmpty();
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
                      tx.checkpoints()
                          .save(session, new NewCheckpoint("a", null, data(1), null, null));
                      tx.checkpoints()
                          .save(session, new NewCheckpoint("b", "a", data(2), null, null));
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.checkpoints(t).latest(session)).isEmpty();
  }
}
