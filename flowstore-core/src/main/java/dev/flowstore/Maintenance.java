package dev.flowstore;

import java.time.Instant;
import java.util.Optional;

/**
 * The maintenance flag of a database: while it is on, every flowstore server on that database
 * answers writes with 503 {@link ErrorCode#MAINTENANCE} (and {@code Retry-After}), and keeps
 * serving reads, health, metrics, DLQ inspection and audit verification. It is stored in the
 * database, so one switch freezes every server; servers re-read it at most a second after it
 * changes. Used while switching backends ({@code flowstore copy}, docs/switching.md).
 *
 * <p>The flag is shared by every tenant: it is set by operators (CLI, the admin endpoint), never
 * from a tenant's transaction.
 */
public interface Maintenance {
  /**
   * The flag.
   *
   * @param on whether writes are frozen
   * @param reason what the operator said when switching it on (empty when off)
   * @param since when it was switched on (empty when off)
   */
  record State(boolean on, String reason, Optional<Instant> since) {
    public static final State OFF = new State(false, "", Optional.empty());
  }

  /**
   * The flag as stored now.
   *
   * @throws FlowstoreException {@code BACKEND_UNAVAILABLE} when the database cannot be reached
   */
  State state();

  /**
   * Freezes writes. Switching on while already on keeps the first {@code since} and replaces the
   * reason.
   *
   * @param reason shown to clients in the 503 message and by {@code maintenance status}; at most
   *     200 characters
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a blank or too long reason; {@code
   *     BACKEND_UNAVAILABLE}
   */
  State enable(String reason);

  /**
   * Lifts the freeze (a no-op when it is off).
   *
   * @throws FlowstoreException {@code BACKEND_UNAVAILABLE}
   */
  State disable();
}
