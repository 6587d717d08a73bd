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
 */
public final class Wakeups {
  private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean closed;

  public long generation(String key) {
    return generations.computeIfAbsent(key, k -> new AtomicLong()).get();
  }

  /** Wakes the waiters of one queue ({@code "*"}: of every queue). */
  public void signal(String key) {
    if ("*".equals(key)) generations.values().forEach(AtomicLong::incrementAndGet);
    else generations.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
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
    AtomicLong gen = generations.computeIfAbsent(key, k -> new AtomicLong());
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (gen.get() == seen) {
        if (nanos <= 0 || closed) return false;
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter for good: later waits return false at once. */
  public void close() {
    closed = true;
    signal("*");
  }
}
