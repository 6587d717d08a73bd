package dev.flowstore.internal;

import java.util.EnumMap;
import java.util.Map;

/**
 * Named points where a backend lets a test simulate a crash (a "testing knob"): a test arms a point
 * for its own thread, and the next time the backend passes it on that thread it throws {@link
 * InjectedFault} — once, then the point is disarmed. Unarmed points cost a thread-local read.
 */
public final class Faults {
  /** The steps of the DLQ state machine a crash may fall between. */
  public enum Point {
    /** After the transaction that moved a job to dlq_pending committed. */
    DLQ_PENDING_COMMITTED,
    /** Inside the dlq_pending -> dlq_recorded transaction, after its writes, before the commit. */
    DLQ_RECORD_BEFORE_COMMIT,
    /**
     * A queue backend outside the SQL database (Redis): after the SQL transaction with the DLQ item
     * and audit entry committed, before the backend marks the job dlq_recorded.
     */
    DLQ_RECORD_COMMITTED,
    /** After dlq_recorded committed, before the move to failed. */
    DLQ_RECORDED_COMMITTED,
    /** In an outbox relay, inside the transaction marking a batch, after its first mark. */
    OUTBOX_RELAY_MID_BATCH,
    /** In an outbox relay, after a message was enqueued and before it was marked published. */
    OUTBOX_RELAY_BEFORE_MARK,
    /** A session cache, in each attempt to store an entry read from the SQL store. */
    CACHE_WRITE,
    /** A session cache, in each attempt to invalidate an entry after a committed write. */
    CACHE_INVALIDATE
  }

  /** The simulated crash. */
  public static final class InjectedFault extends RuntimeException {
    public InjectedFault(Point point) {
      super("injected fault at " + point);
    }
  }

  // why: a count per point, so a test can make a retried step fail on every attempt
  private static final ThreadLocal<Map<Point, Integer>> ARMED =
      ThreadLocal.withInitial(() -> new EnumMap<>(Point.class));

  private Faults() {}

  /**
   * Arms {@code point} for the calling thread until it fires once or {@link #clear()} is called.
   */
  public static void arm(Point point) {
    arm(point, 1);
  }

  /** Arms {@code point} for the calling thread for its next {@code times} passes. */
  public static void arm(Point point, int times) {
    if (times < 1) throw new IllegalArgumentException("times must be >= 1");
    ARMED.get().put(point, times);
  }

  /** Disarms every point of the calling thread. */
  public static void clear() {
    ARMED.get().clear();
  }

  /** Called by backends at {@code point}: throws when it is armed on this thread. */
  public static void hit(Point point) {
    Map<Point, Integer> armed = ARMED.get();
    Integer left = armed.get(point);
    if (left == null) return;
    if (left == 1) armed.remove(point);
    else armed.put(point, left - 1);
    throw new InjectedFault(point);
  }
}
