package dev.flowstore.server.internal.dashboard;

import dev.flowstore.EventStore;
import dev.flowstore.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tenant's event append rate, measured while someone watches the overview: each poll finds the
 * feed's head position and keeps (time, head) samples of the last {@link #WINDOW}; the rate is the
 * head's advance over the oldest sample's age.
 *
 * <p>The head is found through the public feed read alone: "some event at position >= p exists"
 * ({@code readAll(p - 1, 1)} is not empty) holds for every p up to the head and for none above, so
 * a gallop from the last head seen, then a binary search, finds it in a few indexed reads.
 */
final class FeedRate {
  static final Duration WINDOW = Duration.ofMinutes(5);
  private static final int MAX_TENANTS = 1000;

  private record Sample(Instant at, long head) {}

  /** What the overview shows; {@code perSecond} is null until two samples exist. */
  record Rate(long head, Double perSecond, long seconds) {}

  private final Map<TenantId, Deque<Sample>> samples = new ConcurrentHashMap<>();
  private final Clock clock;

  FeedRate(Clock clock) {
    this.clock = clock;
  }

  Rate sample(TenantId tenant, EventStore events) {
    if (samples.size() > MAX_TENANTS) samples.clear();
    Deque<Sample> mine = samples.computeIfAbsent(tenant, t -> new ArrayDeque<>());
    synchronized (mine) {
      Sample last = mine.peekLast();
      long head = head(events, last == null ? 0 : last.head());
      Instant now = clock.instant();
      mine.addLast(new Sample(now, head));
      while (mine.size() > 2 && mine.peekFirst().at().isBefore(now.minus(WINDOW)))
        mine.removeFirst();
      Sample first = mine.peekFirst();
      long seconds = Duration.between(first.at(), now).toSeconds();
      Double rate = seconds < 1 ? null : (double) (head - first.head()) / seconds;
      return new Rate(head, rate, seconds);
    }
  }

  /** The feed's highest position (0 for an empty feed); {@code known} is at or below it. */
  static long head(EventStore events, long known) {
    long lo = exists(events, known) ? known : 0;
    long step = 1;
    while (exists(events, lo + step)) {
      lo += step;
      step *= 2;
    }
    long hi = lo + step; // no event at or above hi
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (exists(events, mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  private static boolean exists(EventStore events, long position) {
    return position <= 0 || !events.readAll(position - 1, 1, null).isEmpty();
  }
}
