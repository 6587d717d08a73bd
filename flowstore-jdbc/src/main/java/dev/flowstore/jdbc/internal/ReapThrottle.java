package dev.flowstore.jdbc.internal;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a lease last ended its queue's expired leases, per queue and process.
 *
 * <p>Why: a lease first ends its queue's expired leases (one more query); doing that at most once a
 * second per queue and process keeps leases one statement, and the sweeper reaps every queue.
 */
final class ReapThrottle {
  // why: the map would otherwise keep every queue of every tenant ever leased from; an entry a
  // second old means the same as none, so those go once the map is large (at most once per
  // doubling, so a map of many fresh entries is not scanned on every lease)
  private static final int REAP_KEYS_MIN = 1024;
  private final Map<String, Instant> lastReap = new ConcurrentHashMap<>();
  private volatile int reapPruneAt = REAP_KEYS_MIN;

  /** Whether a lease of this queue should end its expired leases first (none for a second). */
  boolean due(String queueKey, Instant now) {
    Instant last = lastReap.get(queueKey);
    return last == null || stale(last, now);
  }

  /** Records that a lease of this queue ended its expired leases at {@code now}. */
  void reaped(String queueKey, Instant now) {
    lastReap.merge(queueKey, now, (a, b) -> a.isAfter(b) ? a : b);
    if (lastReap.size() > reapPruneAt) {
      lastReap.values().removeIf(t -> stale(t, now));
      reapPruneAt = Math.max(REAP_KEYS_MIN, 2 * lastReap.size());
    }
  }

  // a second old, or from the future (the clock went back): the same as no entry
  private static boolean stale(Instant last, Instant now) {
    return !now.isBefore(last.plusSeconds(1)) || now.isBefore(last);
  }

  /** How many queues it remembers (tests: bounded). */
  int size() {
    return lastReap.size();
  }
}
