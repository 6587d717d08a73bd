package dev.flowstore;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Retry delays: exponential with "equal jitter". For attempt {@code n} (1 = the first failure) the
 * ceiling is {@code e = min(cap, base * 2^(n-1))} and the delay is drawn uniformly from {@code
 * [e/2, e]}: it never drops below half the exponential step (so retries keep backing off) and
 * spreads retries of jobs that failed together over the other half.
 *
 * @param base the ceiling of the first retry
 * @param cap the largest ceiling
 */
public record Backoff(Duration base, Duration cap) {
  /** 1 s, 2 s, 4 s... up to 15 minutes. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(15));

  public Backoff {
    if (base == null
        || cap == null
        || base.isNegative()
        || base.isZero()
        || cap.compareTo(base) < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "backoff needs 0 < base <= cap, got " + base + ", " + cap);
  }

  /** The ceiling {@code e} for attempt {@code n}: {@code min(cap, base * 2^(n-1))}. */
  public Duration ceiling(int attempt) {
    int n = Math.max(1, attempt);
    long baseMicros = base.toNanos() / 1000;
    long capMicros = cap.toNanos() / 1000;
    long micros = n - 1 >= 62 ? capMicros : baseMicros;
    for (int i = 1; i < n && micros < capMicros; i++) micros *= 2;
    return Duration.ofNanos(Math.min(micros, capMicros) * 1000);
  }

  /** A delay for attempt {@code n}, uniform in {@code [ceiling/2, ceiling]}, to the microsecond. */
  public Duration delay(int attempt, RandomGenerator random) {
    long e = ceiling(attempt).toNanos() / 1000;
    long half = e / 2;
    return Duration.ofNanos((half + random.nextLong(e - half + 1)) * 1000);
  }
}
