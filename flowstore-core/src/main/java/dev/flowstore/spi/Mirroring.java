package dev.flowstore.spi;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import java.time.Duration;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The mirror of an observation window (docs/mirror.md): a primary's committed writes carried to a
 * secondary backend. {@link #capture} switches the primary's change log on or off; a {@link Link}
 * applies what it logged to the secondary, one batch per {@link Link#step}. A backend module that
 * can do both provides it ({@link ServiceLoader}); the CLI finds it with {@link #find}.
 */
public interface Mirroring {
  /**
   * @param on whether the primary logs its changes
   * @param pending entries logged and not yet applied to a secondary (the lag in entries)
   * @param oldest how long the oldest pending entry has waited (the lag in time), none when none is
   *     pending
   */
  record CaptureState(boolean on, long pending, Optional<Duration> oldest) {}

  /**
   * What one batch did.
   *
   * @param entries change-log entries consumed
   * @param upserted rows written (inserted or updated) on the secondary
   * @param deleted rows deleted on the secondary
   * @param pending entries still waiting on the primary after the batch
   * @param oldest how long the oldest of them has waited (none when none is pending)
   * @param full whether the batch was a full one: more may have been pending at its start, so the
   *     next batch should follow at once (else the mirror has caught up with its snapshot)
   */
  record Step(
      int entries,
      int upserted,
      int deleted,
      long pending,
      Optional<Duration> oldest,
      boolean full) {}

  /** A primary and its secondary, opened for mirroring; holds what it learned of both schemas. */
  interface Link {
    /**
     * Applies up to a batch of the primary's committed changes to the secondary, in one secondary
     * transaction, and then drops them from the primary's change log. Safe to repeat after a
     * failure at any point (the rows' current state is applied, by key).
     *
     * @throws FlowstoreException {@code BACKEND_UNAVAILABLE} when either side fails (retry later);
     *     {@code CONFIGURATION} when the secondary holds no copy of the primary or capture is off
     */
    Step step();

    /** The primary's capture state (the lag). */
    CaptureState state();
  }

  /** Whether this mirrors {@code from} into {@code to}. */
  boolean handles(Flowstore from, Flowstore to);

  /**
   * Switches the primary's change log on (from now on every committed write to a copied table is
   * logged in its own transaction) or off (the log and its entries are dropped).
   */
  void capture(Flowstore primary, boolean on);

  /** Whether {@code primary} logs its changes, and how many wait. */
  CaptureState state(Flowstore primary);

  /**
   * Opens the mirror from {@code from} to {@code to}.
   *
   * @param batchSize change-log entries per batch
   */
  Link link(Flowstore from, Flowstore to, int batchSize);

  /**
   * The mirroring that handles {@code from} and {@code to}.
   *
   * @throws FlowstoreException {@code CONFIGURATION} when none on the classpath does
   */
  static Mirroring find(Flowstore from, Flowstore to) {
    for (Mirroring m : ServiceLoader.load(Mirroring.class)) if (m.handles(from, to)) return m;
    throw new FlowstoreException(
        ErrorCode.CONFIGURATION,
        "nothing on the classpath mirrors " + from.describe() + " into " + to.describe());
  }
}
