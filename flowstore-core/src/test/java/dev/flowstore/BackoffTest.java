package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

  @Test
  void theCeilingDoublesPerAttemptUpToTheCap() {
    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(32));
    assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.ceiling(1000)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void delaysStayInsideTheEqualJitterBoundsAndASeededRandomRepeatsThem() {
    Random a = new Random(42);
    Random b = new Random(42);
    for (int attempt = 1; attempt <= 12; attempt++) {
      Duration e = backoff.ceiling(attempt);
      for (int i = 0; i < 200; i++) {
        Duration d = backoff.delay(attempt, a);
        assertThat(d).isBetween(e.dividedBy(2), e);
        assertThat(backoff.delay(attempt, b)).isEqualTo(d);
      }
    }
  }

  @Test
  void jitterSpreadsDelaysOverTheUpperHalf() {
    Random r = new Random(7);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long ms = backoff.delay(4, r).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isLessThan(4200);
    assertThat(max).isGreaterThan(7800);
  }
}
