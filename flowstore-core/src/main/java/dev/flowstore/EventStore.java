package dev.flowstore;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Append-only event streams of one tenant, and the tenant-wide feed over all of them.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#events(TenantId)} (each call
 * is its own transaction) or from {@link Transaction#events()} (calls join the caller's
 * transaction).
 */
public interface EventStore {
  /** The largest page a read returns. */
  int MAX_PAGE = 1000;

  /**
   * Appends events to a stream, atomically: all of them or none.
   *
   * <p>Versions continue the stream without gaps; positions continue the tenant's feed without
   * gaps, in commit order. Re-appending events whose ids are already stored, in the same order and
   * at the same versions, changes nothing and returns the stored events with {@code replayed =
   * true}.
   *
   * @throws FlowstoreException {@code VERSION_CONFLICT} when the stream's version does not match
   *     {@code expected}; {@code EVENT_ID_CONFLICT} when a supplied event id is stored elsewhere;
   *     {@code INVALID_ID}, {@code INVALID_ARGUMENT}, {@code INVALID_JSON}, {@code
   *     PAYLOAD_TOO_LARGE} for bad input
   */
  AppendResult append(String stream, ExpectedVersion expected, List<EventData> events);

  /**
   * Reads a page of a stream. Forward: events with version >= {@code fromVersion}, ascending.
   * Backward: events with version <= {@code fromVersion} (use {@code Long.MAX_VALUE} for the end),
   * descending.
   *
   * @param limit 1..{@link #MAX_PAGE}
   */
  List<RecordedEvent> readStream(String stream, long fromVersion, int limit, Direction direction);

  /** The version of the stream's last event, or -1 when the stream has none. */
  long streamVersion(String stream);

  /**
   * Reads the tenant-wide feed: events with position > {@code afterPosition}, ascending, optionally
   * only of one category. A reader that pages with the last position it saw sees every event
   * exactly once, whatever order concurrent appends commit in.
   *
   * @param category null for all streams
   * @param limit 1..{@link #MAX_PAGE}
   */
  List<RecordedEvent> readAll(long afterPosition, int limit, String category);

  /**
   * Reads the feed like {@link #readAll}, but when no event is past {@code afterPosition} (of
   * {@code category}, when given) waits up to {@code timeout} for one to commit, and answers as
   * soon as it has: long polling for a feed consumer. A timeout answers an empty page; {@code
   * Duration.ZERO} is {@link #readAll}.
   *
   * <p>The wait is driven by a signal, not by reading again: an append committed by this {@link
   * Flowstore} wakes its waiters at once, and on PostgreSQL so does one committed by any other
   * process on the same database and schema (a {@code NOTIFY} the appending process sends right
   * after its commit). A waiter is then answered within a round trip or so. Waiting holds no
   * database connection (a waiter borrows one only for its reads), so many waiters cost threads,
   * not connections: use virtual threads. Because another process might append without a signal
   * reaching this one (two processes on one SQLite file, or a notification lost because the
   * appending process died right after its commit), a waiter also reads again at a bounded
   * interval: every second on SQLite, every 5 seconds on PostgreSQL.
   *
   * <p>Only an instance from {@link Flowstore#events(TenantId)} waits: inside a transaction the
   * wait would hold the transaction's connection (on SQLite, the single writer) for its length.
   *
   * @param category null for all streams
   * @param limit 1..{@link #MAX_PAGE}
   * @param timeout how long to wait at most (>= 0)
   * @return the page, empty when nothing came before the timeout (or the store closed)
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a bad argument, or when called on a
   *     store bound to a transaction ({@link Transaction#events()})
   * @throws InterruptedException when the waiting thread is interrupted
   */
  List<RecordedEvent> awaitAll(long afterPosition, int limit, String category, Duration timeout)
      throws InterruptedException;

  /** Replays a whole stream from {@code fromVersion}, page by page, to {@code sink}. */
  default void replay(String stream, long fromVersion, Consumer<RecordedEvent> sink) {
    long next = fromVersion;
    while (true) {
      List<RecordedEvent> page = readStream(stream, next, MAX_PAGE, Direction.FORWARD);
      page.forEach(sink);
      if (page.size() < MAX_PAGE) return;
      next = page.get(page.size() - 1).version() + 1;
    }
  }
}
