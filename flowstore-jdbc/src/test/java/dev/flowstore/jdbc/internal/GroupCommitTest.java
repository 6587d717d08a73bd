package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** GroupCommit on its own, with a Work that misbehaves on purpose. */
class GroupCommitTest {
  private static final dev.flowstore.MetricHistogram SIZES =
      new dev.flowstore.MetricHistogram(
          "test.batch.size", "test", java.util.Map.of(), java.util.List.of(1.0));

  private static final TenantId TENANT = TenantId.of("acme");

  /**
   * The first request holds the leader in its batch of one until eight more have queued; the batch
   * of those eight throws an Error. Each of the eight must get it, and the lane must still work.
   */
  @Test
  void anErrorInABatchCompletesEveryCallerOfItAndTheLeaderStepsDown() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<Integer, Integer> group =
        new GroupCommit<>(
            64,
            (tenant, batch, recheck) -> {
              if (batch.contains(0)) waitFor(release);
              if (batch.contains(1)) throw new AssertionError("boom in a batch of " + batch.size());
              Answers<Integer> out = new Answers<>(batch.size());
              for (int i = 0; i < batch.size(); i++) out.answer(i, batch.get(i) * 10);
              return out;
            },
            SIZES);
    ExecutorService pool = Executors.newCachedThreadPool(daemons());
    try {
      Future<Integer> leader = pool.submit(() -> group.submit(TENANT, 0));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> group.leading(TENANT) && group.queued(TENANT) == 0);
      List<Future<Integer>> others = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        int k = i;
        others.add(pool.submit(() -> group.submit(TENANT, k)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> group.queued(TENANT) == 8);
      release.countDown();
      assertThat(leader.get(10, TimeUnit.SECONDS)).isZero();
      for (Future<Integer> f : others) {
        try {
          f.get(10, TimeUnit.SECONDS);
          throw new IllegalStateException("expected the batch's Error");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(AssertionError.class).hasMessageContaining("of 8");
        }
      }
      assertThat(group.leading(TENANT)).isFalse();
      assertThat(pool.submit(() -> group.submit(TENANT, 5)).get(10, TimeUnit.SECONDS))
          .isEqualTo(50);
      assertThat(group.lanes()).isZero();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /** An Error thrown by the batch the leader's own request is in reaches the leader too. */
  @Test
  void anErrorInTheLeadersOwnBatchReachesTheLeader() throws Exception {
    GroupCommit<Integer, Integer> group =
        new GroupCommit<>(
            64,
            (tenant, batch, recheck) -> {
              throw new StackOverflowError("deep");
            },
            SIZES);
    ExecutorService pool = Executors.newCachedThreadPool(daemons());
    try {
      Future<Integer> f = pool.submit(() -> group.submit(TENANT, 1));
      try {
        f.get(10, TimeUnit.SECONDS);
        throw new IllegalStateException("expected the Error");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StackOverflowError.class);
      }
      assertThat(group.leading(TENANT)).isFalse();
      assertThat(group.lanes()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // why: in the old code the callers of a failed batch wait forever; daemon threads let the JVM
  // end after the test has failed on its timeout
  private static java.util.concurrent.ThreadFactory daemons() {
    return r -> {
      Thread t = new Thread(r, "group-commit-test");
      t.setDaemon(true);
      return t;
    };
  }
}
