package dev.flowstore.jdbc.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process wake-ups for idle workers, one generation counter per {@code tenant:queue}: a commit
 * that makes work bumps it, a waiter sleeps until the counter differs from the value it last saw.
 * Comparing generations (not a flag) means a signal is never lost between a worker's empty poll and
 * its wait, and every waiter of the queue wakes. On PostgreSQL the LISTEN thread feeds the same
 * counters, so other processes' enqueues wake this one's workers too.
 */
final class QueueWakeups implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueWakeups.class);

  private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private AutoCloseable listener; // guarded by lock
  private boolean closed; // guarded by lock

  static String key(String tenant, String queue) {
    return tenant + ":" + queue;
  }

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

  /**
   * Waits until the generation of {@code key} differs from {@code seen}, or the timeout.
   *
   * @return true when it differs
   */
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

  /** Starts the cross-process listener once (a no-op after close). */
  void ensureListening(Supplier<AutoCloseable> start) {
    lock.lock();
    try {
      if (listener == null && !closed) listener = start.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    AutoCloseable l;
    lock.lock();
    try {
      closed = true;
      l = listener;
      listener = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (l != null) {
      try {
        l.close();
      } catch (Exception e) {
        log.warn("closing the work listener: {}", e.toString());
      }
    }
  }
}
