package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.JobAttempt;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis queue keeps a job's newest attempt in the job hash and only older ones in the list
 * {@code #att:<id>} (so leasing and acking a job writes no list). The history it reads back must be
 * the SQL queue's, attempt for attempt: the same scenario (release, nack, expiry, DLQ, redrive,
 * ack) runs on both and their histories are compared (times only for order: the two stores read
 * their clocks a different number of times). Redis database 12, shared with
 * RedisContractsTest.QueueWorker (classes run one at a time; tenants are the test's own).
 */
class RedisAttemptHistoryTest extends FlowstoreTestBase {
  private static final int DB = 12;
  private static final Duration VIS = Duration.ofSeconds(30);

  private Flowstore sql;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @BeforeAll
  void openSqlQueue() {
    sql = Flowstore.open(TestBackends.sqliteTemp(), clock);
  }

  @AfterAll
  void closeSqlQueue() {
    sql.close();
    TestBackends.drop(sql.config());
    RedisTestKeys.deleteAll(DB);
  }

  /** What an attempt is, times aside: number, outcome, error, and whether it has ended. */
  private record Shape(int attempt, JobAttempt.Outcome outcome, String error, boolean ended) {}

  private static Shape shape(JobAttempt a) {
    return new Shape(a.attempt(), a.outcome(), a.error(), a.finishedAt() != null);
  }

  /**
   * The scenario; after every step, the history as shapes (tokens are checked on their own: each
   * attempt has the token of its lease).
   */
  private List<List<Shape>> run(Queue q) {
    List<List<Shape>> seen = new java.util.ArrayList<>();
    UUID id =
        q.enqueue(
                NewJob.of("h", "work", JsonNodeFactory.instance.objectNode().put("n", 1))
                    .withMaxAttempts(3))
            .value()
            .jobId();
    Function<Queue, List<Shape>> history =
        x -> {
          List<JobAttempt> h = x.get(id).orElseThrow().attempts();
          for (int i = 1; i < h.size(); i++) {
            assertThat(h.get(i).leasedAt()).isAfterOrEqualTo(h.get(i - 1).leasedAt());
            assertThat(h.get(i - 1).finishedAt()).isNotNull();
          }
          return h.stream().map(RedisAttemptHistoryTest::shape).toList();
        };
    seen.add(history.apply(q));
    Lease l1 = q.lease("h", 1, VIS).get(0);
    seen.add(history.apply(q));
    q.release(id, l1.token());
    seen.add(history.apply(q));
    Lease l2 = q.lease("h", 1, VIS).get(0);
    q.nack(id, l2.token(), "boom", Duration.ZERO);
    seen.add(history.apply(q));
    Lease l3 = q.lease("h", 1, Duration.ofSeconds(1)).get(0);
    seen.add(history.apply(q));
    clock.advance(Duration.ofSeconds(2));
    assertThat(q.releaseExpired()).isOne();
    seen.add(history.apply(q));
    Lease l4 = q.lease("h", 1, VIS).get(0);
    q.nack(id, l4.token(), "last", null);
    seen.add(history.apply(q));
    q.deadLetters().redrive(id);
    seen.add(history.apply(q));
    Lease l5 = q.lease("h", 1, VIS).get(0);
    seen.add(history.apply(q));
    q.ack(id, l5.token());
    seen.add(history.apply(q));
    assertThat(q.get(id).orElseThrow().attempts())
        .extracting(JobAttempt::token)
        .containsExactly(l1.token(), l2.token(), l3.token(), l4.token(), l5.token());
    return seen;
  }

  @Test
  void theHistoryIsTheSqlQueuesAfterEveryStep() {
    TenantId tenant = newTenant();
    List<List<Shape>> redis = run(fs.queue(tenant));
    List<List<Shape>> expected = run(sql.queue(tenant));
    assertThat(redis).containsExactlyElementsOf(expected);
    assertThat(expected.get(expected.size() - 1)).hasSize(5);
  }
}
