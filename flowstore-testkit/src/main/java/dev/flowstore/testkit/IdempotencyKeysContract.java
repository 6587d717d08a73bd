package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.IdempotencyKeys.InProgress;
import dev.flowstore.IdempotencyKeys.Mismatch;
import dev.flowstore.IdempotencyKeys.Outcome;
import dev.flowstore.IdempotencyKeys.Proceed;
import dev.flowstore.IdempotencyKeys.Replay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys: one runner per key, replay of its response, mismatch, in-progress, expiry,
 * tenancy.
 */
public abstract class IdempotencyKeysContract extends FlowstoreTestBase {
  private static final Duration TTL = Duration.ofHours(24);
  private static final Duration STALE = Duration.ofMinutes(1);

  @Test
  void theFirstRequestRunsAndLaterOnesReplayItsResponse() {
    IdempotencyKeys keys = fs.idempotencyKeys(newTenant());
    assertThat(keys.begin("k-1", "h1", TTL, STALE)).isInstanceOf(Proceed.class);
    assertThat(keys.begin("k-1", "h1", TTL, STALE)).isInstanceOf(InProgress.class);
    assertThat(keys.begin("k-1", "h2", TTL, STALE)).isInstanceOf(Mismatch.class);
    keys.complete("k-1", 201, "{\"ok\":true}");
    assertThat(keys.begin("k-1", "h1", TTL, STALE)).isEqualTo(new Replay(201, "{\"ok\":true}"));
    assertThat(keys.begin("k-1", "h2", TTL, STALE)).isInstanceOf(Mismatch.class);
  }

  @Test
  void anAbandonedOrStaleRunLetsTheNextRequestRun() {
    IdempotencyKeys keys = fs.idempotencyKeys(newTenant());
    keys.begin("k-1", "h1", TTL, STALE);
    keys.abandon("k-1");
    assertThat(keys.begin("k-1", "h2", TTL, STALE))
        .as("a fresh start: any request")
        .isInstanceOf(Proceed.class);
    clock.advance(STALE.plusSeconds(1));
    assertThat(keys.begin("k-1", "h2", TTL, STALE))
        .as("the holder died")
        .isInstanceOf(Proceed.class);
    assertThat(keys.begin("k-1", "h2", TTL, STALE)).isInstanceOf(InProgress.class);
  }

  @Test
  void keysExpire() {
    IdempotencyKeys keys = fs.idempotencyKeys(newTenant());
    keys.begin("k-1", "h1", Duration.ofHours(1), STALE);
    keys.complete("k-1", 200, "{}");
    clock.advance(Duration.ofMinutes(59));
    assertThat(keys.begin("k-1", "h2", TTL, STALE)).isInstanceOf(Mismatch.class);
    clock.advance(Duration.ofMinutes(2));
    assertThat(keys.begin("k-1", "h2", TTL, STALE)).isInstanceOf(Proceed.class);
    keys.begin("k-2", "h", Duration.ofSeconds(1), STALE);
    clock.advance(Duration.ofSeconds(2));
    assertThat(keys.purgeExpired(clock.instant())).isEqualTo(1);
  }

  @Test
  void ofConcurrentRequestsWithOneKeyExactlyOneRuns() throws Exception {
    IdempotencyKeys keys = fs.idempotencyKeys(newTenant());
    int n = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Outcome>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return keys.begin("k-1", "h1", TTL, STALE);
                }));
      }
      go.countDown();
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> f : results) outcomes.add(f.get());
      assertThat(outcomes).filteredOn(o -> o instanceof Proceed).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o instanceof InProgress).hasSize(n - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void keysArePerTenant() {
    fs.idempotencyKeys(newTenant()).begin("k-1", "h1", TTL, STALE);
    assertThat(fs.idempotencyKeys(newTenant()).begin("k-1", "h2", TTL, STALE))
        .isInstanceOf(Proceed.class);
  }

  @Test
  void badKeysAreRejected() {
    IdempotencyKeys keys = fs.idempotencyKeys(newTenant());
    assertCode(() -> keys.begin("", "h", TTL, STALE), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> keys.begin("x".repeat(256), "h", TTL, STALE), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> keys.begin("a\u0000b", "h", TTL, STALE), ErrorCode.INVALID_ARGUMENT);
    assertThat(keys.begin("x".repeat(255), "h", TTL, STALE)).isInstanceOf(Proceed.class);
  }
}
