package dev.flowstore.jdbc.internal;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells other processes, after commit, which wake-up keys moved (a tenant's feed, a queue, the
 * outbox): the committing thread only {@link #mark marks} the key and returns; one daemon thread
 * per store sends the keys marked since its last send, all in one small transaction of its own
 * ({@link Sender}: PostgreSQL {@code pg_notify} on a connection outside the pool). At most one send
 * is in flight; keys marked meanwhile wait for the next, so a burst of commits costs one send.
 *
 * <p>why not NOTIFY inside the committing transaction: PostgreSQL takes a database-wide lock in a
 * notifying transaction's pre-commit and holds it through the commit's WAL flush, so every
 * notifying transaction of the database commits one after another (bench row 13: 16 tenants
 * appending at once ran at a tenth of the raw rate). Here only the notifier's own transactions
 * notify, and they commit without waiting for the flush.
 *
 * <p>The price: a notification can be lost, where an in-transaction one could not. A failed send
 * keeps its keys and is retried after a pause (100 ms doubling to 5 s), and counted ({@link
 * #failures}); but when the process dies between a commit and the send, the keys it held are gone.
 * Other processes' waiters then see the write at their next re-read without a signal (feed waiters:
 * {@link Dialect#feedRecheck}; queue workers and relays: their poll). Waiters in this process are
 * signalled directly after commit, never through here.
 */
final class CommitNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommitNotifier.class);

  /** Above this many unsent keys (failing sends), they collapse into one "wake everything". */
  static final int MAX_PENDING = 1024;

  private static final long FIRST_PAUSE_MS = 100;
  private static final long MAX_PAUSE_MS = 5_000;

  /** Sends one batch of keys to other processes, in one transaction. */
  interface Sender extends AutoCloseable {
    void send(Set<String> keys) throws Exception;

    @Override
    void close();
  }

  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicLong sends = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  // guarded by lock
  private LinkedHashSet<String> pending = new LinkedHashSet<>();
  private boolean closed;
  private Thread thread;
  private volatile Sender sender;

  CommitNotifier(String name, Sender sender) {
    this.name = name;
    this.sender = sender;
  }

  /**
   * Marks {@code key} for the next send and returns at once (no I/O; the lock is never held across
   * a send). Starts the sending thread on first use.
   */
  void mark(String key) {
    lock.lock();
    try {
      if (closed) return;
      if (pending.size() >= MAX_PENDING && !pending.contains(key)) {
        pending.clear();
        key = "*";
      }
      pending.add(key);
      if (thread == null) {
        thread = Thread.ofPlatform().daemon().name("flowstore-notify-" + name).start(this::loop);
      }
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    long pauseMs = 0; // > 0: the last send failed, wait until retryAt
    long retryAt = 0;
    boolean last = false;
    while (!last) {
      Set<String> batch;
      lock.lock();
      try {
        // why the retry time: after a failure, marks wake the thread but it waits out the pause
        while (!closed && (pending.isEmpty() || (pauseMs > 0 && System.nanoTime() - retryAt < 0))) {
          if (pending.isEmpty()) changed.await();
          else changed.awaitNanos(retryAt - System.nanoTime());
        }
        // closed: one last send of what is pending, no retry
        last = closed;
        if (pending.isEmpty()) return;
        batch = pending;
        pending = new LinkedHashSet<>();
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        sender.send(batch);
        sends.incrementAndGet();
        pauseMs = 0;
      } catch (Exception | Error e) {
        if (last) {
          log.warn(
              "notifying other processes of {} keys at close failed: {}",
              batch.size(),
              e.toString());
          return;
        }
        failures.incrementAndGet();
        pauseMs = pauseMs == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pauseMs * 2);
        retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
        log.warn(
            "notifying other processes of {} keys failed, retrying in {} ms: {}",
            batch.size(),
            pauseMs,
            e.toString());
        lock.lock();
        try {
          for (String k : batch) {
            if (pending.size() >= MAX_PENDING && !pending.contains(k)) {
              pending.clear();
              pending.add("*");
              break;
            }
            pending.add(k);
          }
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Batches sent (tests). */
  long sends() {
    return sends.get();
  }

  /** Sends that failed (their keys were kept for the next try). */
  long failures() {
    return failures.get();
  }

  /** Replaces the sender (tests: a sender that blocks or fails); returns the one it replaced. */
  Sender replaceSender(Sender replacement) {
    Sender old = sender;
    sender = replacement;
    return old;
  }

  /**
   * Stops the thread after one last send of the pending keys (waiting at most 2 s for it) and
   * closes the sender. Keys that send fails to deliver are dropped: other processes see those
   * writes at their next re-read.
   */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      t = thread;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sender.close();
  }
}
