package dev.flowstore.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wake-ups for idle workers and relays, one generation counter per key (e.g. {@code tenant:queue}),
 * fed by this process's own commits and by the backend's cross-process channel (PostgreSQL NOTIFY,
 * Redis pub/sub). A waiter sleeps until the counter differs from the value it last saw, so a signal
 * that arrives between an empty poll and the wait is never lost, and every waiter of the key wakes.
 *
 * <p>Bounded: every generation is a reading of one clock shared by all keys (a signal sets its key
 * to a new tick), so a key can be forgotten while nobody waits on it — when it comes back it starts
 * at the clock's current reading, which differs from what a waiter saw if anything was signalled
 * since (at worst a spurious wake-up, never a lost one). Keys nobody waits on are dropped once the
 * map grows past {@link #MAX_IDLE_KEYS}, so a process that sees many tenants does not keep them
 * all.
 */
public final class Wakeups {
  public static final int MAX_IDLE_KEYS = 1024;

  private static final class Key {
    final AtomicLong generation;
    int waiters; // guarded by lock

    Key(long start) {
      generation = new AtomicLong(start);
    }
  }

  private final AtomicLong clock = new AtomicLong();
  private final Map<String, Key> keys = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile int pruneAt = MAX_IDLE_KEYS;
  private volatile boolean closed;

  private Key key(String key) {
    Key k = keys.get(key);
    if (k != null) return k;
    k = keys.computeIfAbsent(key, x -> new Key(clock.get()));
    if (keys.size() > pruneAt) prune();
    return k;
  }

  // why: under the lock, so a key is never dropped between a waiter finding it and counting itself
  private void prune() {
    lock.lock();
    try {
      if (keys.size() <= pruneAt) return;
      keys.values().removeIf(k -> k.waiters == 0);
      pruneAt = Math.max(MAX_IDLE_KEYS, 2 * keys.size());
    } finally {
      lock.unlock();
    }
  }

  public long generation(String key) {
    return key(key).generation.get();
  }

  /** Wakes the waiters of one queue ({@code "*"}: of every queue). */
  public void signal(String key) {
    long tick = clock.incrementAndGet();
    // max: a generation never goes back to a value a waiter may have seen
    if ("*".equals(key)) keys.values().forEach(k -> k.generation.accumulateAndGet(tick, Math::max));
    else key(key).generation.accumulateAndGet(tick, Math::max);
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the generation of {@code key} differs from {@code seen}, or the timeout.
   *
   * @return true when it differs
   */
  public boolean await(String key, long seen, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    Key k;
    // why: counted as a waiter under the lock, so prune() (which takes it) cannot drop it now; the
    // check catches a prune run by key() itself just before the count
    while (true) {
      k = key(key);
      k.waiters++;
      if (keys.get(key) == k) break;
      k.waiters--;
    }
    try {
      while (k.generation.get() == seen) {
        if (nanos <= 0 || closed) return false;
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      k.waiters--;
      lock.unlock();
    }
  }

  /**
   * How many callers are waiting in {@link #await} now (tests wait for this instead of sleeping).
   */
  public int waiting() {
    lock.lock();
    try {
      return lock.getWaitQueueLength(changed);
    } finally {
      lock.unlock();
    }
  }

  /** How many keys are held now (tests: bounded). */
  public int size() {
    return keys.size();
  }

  /** Wakes every waiter for good: later waits return false at once. */
  public void close() {
    closed = true;
    signal("*");
  }
}
