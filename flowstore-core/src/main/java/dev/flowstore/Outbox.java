package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A tenant's transactional outbox. {@link #add} joins the caller's transaction (use {@link
 * Transaction#outbox()}), so a message exists exactly when the change it announces committed. A
 * relay then {@link #claim}s due messages, publishes them, and marks each published or failed.
 *
 * <p>Several relays may run at once: a claim takes rows no other relay holds (SKIP LOCKED where the
 * database has it) and holds them for the claim's duration, so in the normal path no message is
 * published twice. If a relay dies after publishing and before marking, its claim runs out and the
 * message is published again: at most the in-flight batch is repeated, which consumers absorb by
 * de-duplicating on {@code (event_id, consumer)} ({@link ProcessedMessages}).
 */
public interface Outbox {
  /** Most messages one claim returns. */
  int MAX_CLAIM = 1000;

  /**
   * Adds a message.
   *
   * @param eventId what consumers de-duplicate on; null for the new message's own id
   * @throws FlowstoreException INVALID_ARGUMENT for a bad destination; INVALID_JSON /
   *     PAYLOAD_TOO_LARGE for payload or headers
   */
  OutboxMessage add(String destination, ObjectNode payload, ObjectNode headers, UUID eventId);

  Optional<OutboxMessage> get(UUID messageId);

  /**
   * Messages in a status, oldest first, after {@code afterMessageId}'s place (null from the start).
   */
  List<OutboxMessage> list(OutboxMessage.Status status, int limit, UUID afterMessageId);

  /**
   * How many messages are pending and failed, and the oldest pending one's creation time (the
   * relay's backlog and lag, for metrics). Never throws for a tenant without messages: zeros.
   */
  OutboxStats stats();

  /**
   * Claims up to {@code max} due PENDING messages for {@code hold}: they count an attempt and are
   * not due again until the hold runs out.
   */
  List<OutboxMessage> claim(int max, Duration hold);

  /** PENDING -> PUBLISHED. Returns false if the message is not pending (e.g. already marked). */
  boolean markPublished(UUID messageId);

  /**
   * Records a failed publish: back to PENDING, due again after {@code retryAfter}, or FAILED when
   * {@code retryAfter} is null (give up; {@link #replay} brings it back).
   */
  boolean markFailed(UUID messageId, String error, Duration retryAfter);

  /**
   * FAILED -> PENDING, due now, attempts kept.
   *
   * @throws FlowstoreException NOT_FOUND; UNPROCESSABLE when the message is not failed
   */
  OutboxMessage replay(UUID messageId);

  /**
   * Retention: deletes up to {@code max} PUBLISHED messages of the tenant published before {@code
   * publishedBefore}, oldest first (PENDING and FAILED ones are never deleted). Run it in batches
   * until it returns less than {@code max}; the server's sweeper does (docs/messaging.md).
   *
   * @return how many messages were deleted
   * @throws FlowstoreException {@code INVALID_ARGUMENT} when {@code max} is not 1..{@link
   *     Queue#MAX_PURGE} or {@code publishedBefore} is null
   */
  int purgePublished(java.time.Instant publishedBefore, int max);
}
