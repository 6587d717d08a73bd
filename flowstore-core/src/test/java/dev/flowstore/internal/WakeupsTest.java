package dev.flowstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WakeupsTest {
  private static final int MANY = 10_000;

  @Test
  void keysOfManyQueuesThatWentIdleDoNotAccumulate() {
    Wakeups w = new Wakeups();
    for (int i = 0; i < MANY; i++) {
      String key = "tenant-" + i + ":q";
      w.generation(key);
      w.signal(key);
    }
    assertThat(w.size()).isLessThanOrEqualTo(Wakeups.MAX_IDLE_KEYS + 1);
  }

  @Test
  void aSignalToAForgottenKeyStillWakesWhoSawItBefore() throws Exception {
    Wakeups w = new Wakeups();
    long seen = w.generation("a:q");
    for (int i = 0; i < MANY; i++) w.generation("other-" + i + ":q");
    w.signal("a:q");
    assertThat(w.await("a:q", seen, Duration.ZERO)).isTrue();
  }

  @Test
  void aWaitersKeyIsNeverDroppedWhileItWaits() throws Exception {
    Wakeups w = new Wakeups();
    long seen = w.generation("w:q");
    CompletableFuture<Boolean> woken =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return w.await("w:q", seen, Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // once it waits, push the map past its bound several times
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.waiting() == 1);
    for (int i = 0; i < MANY; i++) w.signal("other-" + i + ":q");
    assertThat(w.size()).isLessThanOrEqualTo(Wakeups.MAX_IDLE_KEYS + 1);
    w.signal("w:q");
    assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
  }
}
