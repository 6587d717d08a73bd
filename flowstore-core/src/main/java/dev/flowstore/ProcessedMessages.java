package dev.flowstore;

import java.util.UUID;

/**
 * Consumer-side de-duplication: a consumer records {@code (event_id, consumer)} in the same
 * transaction as its side effect, so a message delivered twice has its effect once.
 *
 * <pre>{@code
 * fs.inTransaction(tenant, tx -> {
 *   if (!tx.processed().markProcessed(job.eventId(), "billing")) return null;  // seen: do nothing
 *   ... the side effect, in tx ...
 * });
 * }</pre>
 */
public interface ProcessedMessages {
  /**
   * Records that {@code consumer} processed {@code eventId}. Returns true the first time, false
   * when it was already recorded (by a committed transaction, or one that commits first: concurrent
   * callers wait, and exactly one gets true).
   */
  boolean markProcessed(UUID eventId, String consumer);

  /** Whether {@code consumer} has processed {@code eventId}. */
  boolean isProcessed(UUID eventId, String consumer);
}
