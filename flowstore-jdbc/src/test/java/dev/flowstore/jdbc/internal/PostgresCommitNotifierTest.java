package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.AppendResult;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Other processes are told of a commit after it, by the store's {@link CommitNotifier}, never from
 * inside the transaction: a commit does not wait on the notifier (blocked or failing), and what it
 * could not send yet reaches the other process once it recovers.
 */
class PostgresCommitNotifierTest extends FlowstoreTestBase {
  // why not the common pool: it may have one thread (2 cores), which a waiter would hold
  private ExecutorService threads;

  @BeforeEach
  void startThreads() {
    threads = Executors.newVirtualThreadPerTaskExecutor();
  }

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }

  private CommitNotifier notifier() {
    return ((JdbcFlowstore) fs).wakeups().notifier();
  }

  /** A sender that passes to {@code real} once {@code gate} opens, counting the sends it holds. */
  private static CommitNotifier.Sender gated(
      AtomicReference<CommitNotifier.Sender> real, CountDownLatch gate, AtomicInteger held) {
    return new CommitNotifier.Sender() {
      @Override
      public void send(Set<String> keys) throws Exception {
        held.incrementAndGet();
        gate.await();
        real.get().send(keys);
      }

      @Override
      public void close() {
        real.get().close();
      }
    };
  }

  @Test
  void anAppendCommitsWhileTheNotifierIsBlockedAndAnotherProcessWakesOnceItIsNot()
      throws Exception {
    TenantId tenant = newTenant();
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger held = new AtomicInteger();
    AtomicReference<CommitNotifier.Sender> real = new AtomicReference<>();
    real.set(notifier().replaceSender(gated(real, gate, held)));
    try (Flowstore other = Flowstore.open(fs.config(), clock)) {
      CompletableFuture<List<RecordedEvent>> woke =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return other.events(tenant).awaitAll(0, 10, null, Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              },
              threads);
      AppendResult first = append(tenant, "order-1", ExpectedVersion.NO_STREAM);
      // the notifier's thread is now stuck in its send: commits go on without it
      await().atMost(Duration.ofSeconds(10)).until(() -> held.get() == 1);
      AppendResult second = append(tenant, "order-2", ExpectedVersion.NO_STREAM);
      assertThat(second.events().get(0).position()).isEqualTo(first.events().get(0).position() + 1);
      // this process's waiters are signalled after commit, not through the notifier
      assertThat(fs.events(tenant).awaitAll(1, 10, null, Duration.ofSeconds(10))).hasSize(1);
      gate.countDown();
      assertThat(woke.get(20, TimeUnit.SECONDS)).isNotEmpty();
    } finally {
      gate.countDown();
    }
  }

  private AppendResult append(TenantId tenant, String stream, ExpectedVersion expected)
      throws Exception {
    // why off-thread with a bound: an append waiting on the blocked notifier fails, not hangs
    return CompletableFuture.supplyAsync(
            () ->
                fs.events(tenant)
                    .append(
                        stream,
                        expected,
                        List.of(
                            EventData.of("order.placed", JsonNodeFactory.instance.objectNode()))),
            threads)
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void aFailedSendIsRetriedWithoutAnotherCommit() throws Exception {
    TenantId tenant = newTenant();
    CommitNotifier notifier = notifier();
    AtomicInteger attempts = new AtomicInteger();
    CommitNotifier.Sender real =
        notifier.replaceSender(
            new CommitNotifier.Sender() {
              @Override
              public void send(Set<String> keys) throws SQLException {
                attempts.incrementAndGet();
                throw new SQLException("notifier connection unavailable (test)");
              }

              @Override
              public void close() {}
            });
    try (Flowstore other = Flowstore.open(fs.config(), clock)) {
      Queue theirs = other.queue(tenant);
      QueueWakeups theirWakeups = ((JdbcFlowstore) other).wakeups();
      String key = QueueWakeups.key(tenant.value(), "q");
      long before = theirWakeups.generation(key);
      // an empty lease starts the listener, which wakes every key once when it starts listening:
      // wait that out, then an empty lease again sets the waiter's baseline
      assertThat(theirs.lease("q", 1, Duration.ofSeconds(30))).isEmpty();
      await().atMost(Duration.ofSeconds(30)).until(() -> theirWakeups.generation(key) != before);
      assertThat(theirs.lease("q", 1, Duration.ofSeconds(30))).isEmpty();
      CompletableFuture<Boolean> woke =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  // no poll to speak of: only a notification wakes it in time
                  return theirs.awaitWork("q", Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                  return false;
                }
              },
              threads);
      long failures = notifier.failures();
      CompletableFuture.runAsync(
              () ->
                  fs.queue(tenant)
                      .enqueue(NewJob.of("q", "work", JsonNodeFactory.instance.objectNode())),
              threads)
          .get(20, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.failures() > failures);
      assertThat(woke).isNotDone();
      // recovered: the kept key goes out on the retry, with no commit to prompt it
      notifier.replaceSender(real);
      assertThat(woke.get(20, TimeUnit.SECONDS)).isTrue();
      assertThat(attempts.get()).isPositive();
    }
  }
}
