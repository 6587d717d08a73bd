package dev.flowstore.redis.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wake-ups for idle workers, one generation counter per {@code tenant:queue}, fed by this process's
 * own writes and by Redis pub/sub (other processes). A waiter sleeps until the counter differs from
 * the value it last saw, so a signal between an empty lease and the wait is never lost.
 */
final class Wakeups {
  private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean closed;

  long generation(String key) {
    return generations.computeIfAbsent(key, k -> new AtomicLong()).get();
  }

  /** Wakes the waiters of one queue ({@code "*"}: of every queue). */
  void signal(String key) {
    if ("*".equals(key)) generations.values().forEach(AtomicLong::incrementAndGet);
    else generations.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean await(String key, long seen, Duration timeout) throws InterruptedException {
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

  void close() {
    closed = true;
    signal("*");
  }
}
