package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.MetricGauge;
import dev.flowstore.internal.Wakeups;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's {@link Wakeups} (one generation counter per {@code tenant:queue}, one for the outbox,
 * and one per tenant's event feed), the cross-process listener that feeds them (on PostgreSQL a
 * LISTEN connection, so other processes' commits wake this one's workers, relays and feed waiters
 * too), and the {@link CommitNotifier} that tells other processes of this one's commits.
 */
final class QueueWakeups implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueWakeups.class);

  private final Dialect dialect;
  private final FlowstoreConfig config;
  private final Wakeups signals = new Wakeups();
  private final ReentrantLock lock = new ReentrantLock();
  // written under lock; volatile so that every lease after the first skips the lock
  private volatile AutoCloseable listener;
  private volatile boolean closed;
  // null where no other process can write (SQLite)
  private final CommitNotifier notifier;

  QueueWakeups(Dialect dialect, FlowstoreConfig config) {
    this.dialect = dialect;
    this.config = config;
    CommitNotifier.Sender sender = dialect.notifySender(config);
    this.notifier = sender == null ? null : new CommitNotifier(dialect.name(), sender);
  }

  static String key(String tenant, String queue) {
    return tenant + ":" + queue;
  }

  /**
   * The key of a tenant's event feed (tenant ids never contain '*', so it cannot clash with a
   * queue's).
   */
  static String feedKey(String tenant) {
    return "*feed:" + tenant;
  }

  /**
   * Tells, from inside the write transaction that gave a queue work, that it has some, once the
   * transaction has committed or may have (a spurious wake-up costs a poll; a missed one, a
   * timeout): see {@link #publishAfterCommit}.
   */
  static void announce(Scope scope, String queue) {
    publishAfterCommit(scope.flowstore(), key(scope.tenant().value(), queue));
  }

  /**
   * Once the current transaction has committed (or may have), wakes this process's waiters of
   * {@code key} and marks it for the {@link CommitNotifier}, which tells other processes; nothing
   * is sent inside the transaction (see {@link CommitNotifier} for why).
   */
  static void publishAfterCommit(JdbcFlowstore fs, String key) {
    QueueWakeups wakeups = fs.wakeups();
    fs.afterCommitOrUnknown(() -> wakeups.publish(key));
  }

  /** Wakes this process's waiters of {@code key} and tells other processes (after commit). */
  void publish(String key) {
    signals.signal(key);
    if (notifier != null) notifier.mark(key);
  }

  /** {@code flowstore.notify.failures} where there is a notifier (PostgreSQL). */
  List<MetricGauge> gauges() {
    if (notifier == null) return List.of();
    return List.of(
        new MetricGauge(
            "flowstore.notify.failures",
            "Sends of wake-ups to other processes (NOTIFY after commit) that failed and were kept"
                + " for a retry, since start",
            Map.of(),
            notifier::failures));
  }

  /** The notifier of other processes (null on SQLite; tests). */
  CommitNotifier notifier() {
    return notifier;
  }

  long generation(String key) {
    return signals.generation(key);
  }

  /** Wakes the waiters of one key ({@code "*"}: of every key). */
  void signal(String key) {
    signals.signal(key);
  }

  /** Waits until the generation of {@code key} differs from {@code seen}, or the timeout. */
  boolean await(String key, long seen, Duration timeout) throws InterruptedException {
    return signals.await(key, seen, timeout);
  }

  /** Whether {@link #close} was called: waits return at once. */
  boolean isClosed() {
    return closed;
  }

  /** How many keys the generations hold (tests: bounded). */
  int size() {
    return signals.size();
  }

  /**
   * Starts the dialect's cross-process listener ({@link Dialect#listenForWork}) once, when a lease,
   * a wait for work or the outbox relay first needs it (a no-op after close).
   */
  void ensureListening() {
    if (listener != null || closed) return;
    lock.lock();
    try {
      if (listener == null && !closed) listener = dialect.listenForWork(config, this::signal);
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
    } finally {
      lock.unlock();
    }
    signals.close();
    if (notifier != null) notifier.close();
    if (l != null) {
      try {
        l.close();
      } catch (Exception e) {
        log.warn("closing the work listener: {}", e.toString());
      }
    }
  }
}
