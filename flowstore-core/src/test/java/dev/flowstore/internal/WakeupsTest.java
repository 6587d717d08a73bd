package dev.flowstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Wake-up counters stay bounded (signals for keys nobody polls create none; at {@link
 * Wakeups#MAX_KEYS} all are forgotten) without losing a wake-up: a waiter whose counter was
 * forgotten still wakes when its key is signalled.
 */
class WakeupsTest {
  private static void forgetAll(Wakeups w) {
    for (int i = 0; i < Wakeups.MAX_KEYS; i++) w.generation("other:" + i);
  }

  @Test
  void signalsForKeysNobodyPollsKeepNoCounter() {
    Wakeups w = new Wakeups();
    for (int i = 0; i < 10_000; i++) w.signal("tenant" + i + ":q");
    assertThat(w.size()).isZero();
  }

  @Test
  void countersAreBoundedHoweverManyKeysArePolled() {
    Wakeups w = new Wakeups();
    for (int i = 0; i < 10_000; i++) w.generation("tenant" + i + ":q");
    assertThat(w.size()).isLessThanOrEqualTo(Wakeups.MAX_KEYS);
  }

  @Test
  void aSignalBetweenPollAndWaitIsSeenEvenIfTheCounterWasForgottenMeanwhile() throws Exception {
    Wakeups w = new Wakeups();
    long seen = w.generation("t:q");
    forgetAll(w);
    w.signal("t:q");
    assertThat(w.await("t:q", seen, Duration.ZERO)).isTrue();
  }

  @Test
  void aWaiterWhoseCounterIsForgottenWakesOnItsNextSignal() throws Exception {
    Wakeups w = new Wakeups();
    long seen = w.generation("t:q");
    CompletableFuture<Boolean> woken = new CompletableFuture<>();
    Thread waiter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    woken.complete(w.await("t:q", seen, Duration.ofSeconds(30)));
                  } catch (InterruptedException e) {
                    woken.completeExceptionally(e);
                  }
                });
    // the waiter is parked on its counter; then every counter is forgotten
    while (waiter.getState() != Thread.State.WAITING
        && waiter.getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
    forgetAll(w);
    assertThat(woken).isNotDone();
    w.signal("t:q");
    assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withoutASignalAWaiterSleepsItsTimeout() throws Exception {
    Wakeups w = new Wakeups();
    long seen = w.generation("t:q");
    w.signal("t:other");
    assertThat(w.await("t:q", seen, Duration.ofMillis(50))).isFalse();
  }
}
