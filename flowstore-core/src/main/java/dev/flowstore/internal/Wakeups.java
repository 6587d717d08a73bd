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
 * <p>Bounded: only keys someone in this process has polled or waited on get a counter (a signal for
 * any other key has nobody to wake and is dropped), and when {@link #MAX_KEYS} counters exist they
 * are all forgotten. That is safe because every new counter starts at a value no counter had before
 * (one sequence for all): a waiter whose counter was forgotten finds a different value (or none)
 * and wakes — a spurious wake-up, which callers allow — instead of missing a signal.
 */
public final class Wakeups {
  /** Counters kept at most; then all are forgotten. */
  public static final int MAX_KEYS = 4096;

  private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
  // why: the start value of every new counter, so a forgotten key's waiter sees a change
  private final AtomicLong sequence = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean closed;

  private AtomicLong counter(String key) {
    AtomicLong c = generations.get(key);
    if (c != null) return c;
    if (generations.size() >= MAX_KEYS) generations.clear();
    return generations.computeIfAbsent(key, k -> new AtomicLong(sequence.incrementAndGet()));
  }

  public long generation(String key) {
    return counter(key).get();
  }

  /** Wakes the waiters of one queue ({@code "*"}: of every queue). */
  public void signal(String key) {
    if ("*".equals(key)) {
      generations.values().forEach(g -> g.set(sequence.incrementAndGet()));
    } else {
      AtomicLong g = generations.get(key);
      if (g != null) g.set(sequence.incrementAndGet());
    }
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
   * @return true when it differs (or its counter was forgotten meanwhile)
   */
  public boolean await(String key, long seen, Duration timeout) throws InterruptedException {
    AtomicLong gen = counter(key);
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (gen.get() == seen && generations.get(key) == gen) {
        if (nanos <= 0 || closed) return false;
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** How many keys have a counter (at most {@link #MAX_KEYS}). */
  public int size() {
    return generations.size();
  }

  /** Wakes every waiter for good: later waits return false at once. */
  public void close() {
    closed = true;
    signal("*");
  }
}
