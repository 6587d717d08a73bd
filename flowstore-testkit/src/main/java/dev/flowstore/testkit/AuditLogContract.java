package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.TenantId;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The audit log contract: append-only, gap-free per tenant, hash-chained so that {@link
 * AuditLog#verify()} finds an edited, deleted or inserted row. Tampering goes around flowstore,
 * through {@link #tamper}.
 */
public abstract class AuditLogContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Runs raw SQL against the store's database, as its owner, bypassing every flowstore check. */
  protected void tamper(String sql) {
    TestBackends.executeAsOwner(fs.config(), sql);
  }

  protected static NewAuditEntry entry(String action, String resourceId) {
    ObjectNode before =
        JSON.objectNode().put("status", "open").put("amount", new BigDecimal("10.50"));
    ObjectNode after =
        JSON.objectNode().put("status", "closed").put("amount", new BigDecimal("1E+2"));
    after.putObject("nested").put("z", 1).put("a", 2);
    return new NewAuditEntry("ann", action, "ticket", resourceId, "trace-1", before, after);
  }

  @Test
  void appendsAGapFreeChainThatVerifies() {
    AuditLog audit = fs.audit(newTenant());
    AuditEntry first = audit.append(entry("ticket.closed", "t-1"));
    AuditEntry second = audit.append(entry("ticket.reopened", "t-1"));
    assertThat(first.seq()).isEqualTo(1);
    assertThat(first.prevHash()).isEqualTo("0".repeat(64));
    assertThat(second.seq()).isEqualTo(2);
    assertThat(second.prevHash()).isEqualTo(first.hash());
    // why: compare by hash, not record equality: PostgreSQL's jsonb stores 1E+2 as 100 and reorders
    // keys,
    // and the hash is computed over a canonical form that both sides agree on
    assertThat(audit.list(AuditLog.Query.all(10)))
        .extracting(AuditEntry::seq, AuditEntry::hash)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, first.hash()),
            org.assertj.core.groups.Tuple.tuple(2L, second.hash()));
    assertThat(audit.verify()).isEqualTo(new AuditLog.Verification(true, 2, 0, null));
    assertThat(fs.audit(newTenant()).verify())
        .isEqualTo(new AuditLog.Verification(true, 0, 0, null));
  }

  @Test
  void queriesByResourceAndTime() {
    AuditLog audit = fs.audit(newTenant());
    Instant start = clock.instant();
    audit.append(entry("a", "t-1"));
    clock.advance(Duration.ofMinutes(1));
    audit.append(entry("b", "t-2"));
    clock.advance(Duration.ofMinutes(1));
    audit.append(entry("c", "t-1"));
    assertThat(audit.list(new AuditLog.Query("ticket", "t-1", null, null, 0, 10)))
        .extracting(AuditEntry::action)
        .containsExactly("a", "c");
    assertThat(
            audit.list(
                new AuditLog.Query(
                    null, null, start.plusSeconds(30), start.plusSeconds(90), 0, 10)))
        .extracting(AuditEntry::action)
        .containsExactly("b");
    assertThat(audit.list(new AuditLog.Query(null, null, null, null, 1, 1)))
        .extracting(AuditEntry::action)
        .containsExactly("b");
    assertThat(audit.list(new AuditLog.Query("user", null, null, null, 0, 10))).isEmpty();
  }

  @Test
  void concurrentAppendsStayOneLinearChain() throws Exception {
    AuditLog audit = fs.audit(newTenant());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<AuditEntry>> futures = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        int n = i;
        futures.add(pool.submit(() -> audit.append(entry("a" + n, "t-" + n))));
      }
      for (Future<AuditEntry> f : futures) f.get();
    } finally {
      pool.shutdownNow();
    }
    assertThat(audit.list(AuditLog.Query.all(100)))
        .extracting(AuditEntry::seq)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList());
    assertThat(audit.verify().ok()).isTrue();
  }

  @Test
  void verifyFindsAnEditedRow() {
    TenantId t = newTenant();
    AuditLog audit = fs.audit(t);
    for (int i = 0; i < 3; i++) audit.append(entry("a" + i, "t-1"));
    tamper("UPDATE audit_log SET actor = 'mallory' WHERE tenant_id = '" + t + "' AND seq = 2");
    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBadSeq()).isEqualTo(2);
    assertThat(v.problem()).contains("edited");
  }

  @Test
  void verifyFindsAnEditedJsonValue() {
    TenantId t = newTenant();
    AuditLog audit = fs.audit(t);
    audit.append(entry("a", "t-1"));
    tamper(
        "UPDATE audit_log SET after_state = before_state WHERE tenant_id = '"
            + t
            + "' AND seq = 1");
    assertThat(audit.verify().firstBadSeq()).isEqualTo(1);
  }

  @Test
  void verifyFindsADeletedRowInTheMiddleAndAtTheEnd() {
    TenantId t = newTenant();
    AuditLog audit = fs.audit(t);
    for (int i = 0; i < 4; i++) audit.append(entry("a" + i, "t-1"));
    tamper("DELETE FROM audit_log WHERE tenant_id = '" + t + "' AND seq = 4");
    AuditLog.Verification tail = audit.verify();
    assertThat(tail.ok()).isFalse();
    assertThat(tail.problem()).contains("deleted");
    tamper("DELETE FROM audit_log WHERE tenant_id = '" + t + "' AND seq = 2");
    AuditLog.Verification middle = audit.verify();
    assertThat(middle.ok()).isFalse();
    assertThat(middle.firstBadSeq()).isEqualTo(2);
  }

  @Test
  void anAppendInARolledBackTransactionLeavesNoTrace() {
    TenantId t = newTenant();
    fs.audit(t).append(entry("kept", "t-1"));
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.audit().append(entry("lost", "t-1"));
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    AuditEntry next = fs.audit(t).append(entry("next", "t-1"));
    assertThat(next.seq()).isEqualTo(2);
    assertThat(fs.audit(t).verify().ok()).isTrue();
  }

  @Test
  void tenantsHaveSeparateChains() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    fs.audit(a).append(entry("a", "t-1"));
    assertThat(fs.audit(b).list(AuditLog.Query.all(10))).isEmpty();
    assertThat(fs.audit(b).append(entry("b", "t-1")).seq()).isEqualTo(1);
    assertThat(fs.audit(a).verify().checked()).isEqualTo(1);
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    AuditLog audit = fs.audit(newTenant());
    assertCode(
        () -> audit.append(new NewAuditEntry(null, "a", "t", "1", null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> audit.append(new NewAuditEntry("x", " ", "t", "1", null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> audit.append(new NewAuditEntry("x", "a", "t", "x".repeat(201), null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            audit.append(
                new NewAuditEntry(
                    "x", "a", "t", "1", null, JSON.objectNode().put("k", "\u0000"), null)),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            audit.append(
                new NewAuditEntry(
                    "x",
                    "a",
                    "t",
                    "1",
                    null,
                    null,
                    JSON.objectNode().put("k", "x".repeat(fs.config().maxPayloadBytes())))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> audit.list(AuditLog.Query.all(0)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> audit.list(new AuditLog.Query(null, null, null, null, -1, 10)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(audit.list(AuditLog.Query.all(10))).isEmpty();
  }
}
