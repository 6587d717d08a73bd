package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;

/** Helpers the queue contract suites share. */
abstract class QueueTestSupport extends FlowstoreTestBase {
  /** The queue under test: autonomous by default; the in-transaction variant overrides this. */
  protected Queue queue(TenantId tenant) {
    return fs.queue(tenant);
  }

  static ObjectNode payload(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  static NewJob job(String queue, int n) {
    return NewJob.of(queue, "work", payload(n));
  }

  static void assertCode(Executable r, ErrorCode code) {
    assertThatThrownBy(r::execute)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  static QueueStats stats(Queue q, String queue) {
    return q.stats().stream()
        .filter(s -> s.queue().equals(queue))
        .findFirst()
        .orElse(new QueueStats(queue, 0, 0, 0, 0, 0, 0, 0));
  }

  /**
   * What the server's sweeper does for the queue, every round: for every tenant the store lists
   * ({@code Flowstore.tenants()}), end expired leases and finish DLQ transitions. A tenant missing
   * from that list is never swept.
   */
  int sweepQueues() {
    int n = 0;
    for (TenantId t : fs.tenants()) {
      Queue q = fs.queue(t);
      n += q.releaseExpired();
      n += q.recoverDlq();
    }
    return n;
  }

  /** The tenant's audit entries about one job with one action. */
  List<AuditEntry> audit(TenantId tenant, UUID jobId, String action) {
    return fs
        .audit(tenant)
        .list(new AuditLog.Query("job", jobId.toString(), null, null, 0, 100))
        .stream()
        .filter(e -> e.action().equals(action))
        .toList();
  }
}
