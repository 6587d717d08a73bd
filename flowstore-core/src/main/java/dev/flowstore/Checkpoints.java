package dev.flowstore;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Append-only checkpoints of one tenant's sessions, to resume a session where it left off.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#checkpoints(TenantId)} (each
 * call is its own transaction) or from {@link Transaction#checkpoints()} (calls join the caller's
 * transaction).
 */
public interface Checkpoints {
  /**
   * Saves a checkpoint. Append-only: an existing checkpoint is never changed. Saving the same
   * checkpoint id again with the same parent, data, bytes and metadata is an idempotent retry and
   * returns the stored one; with anything different it is refused.
   *
   * @throws FlowstoreException {@code UNPROCESSABLE} when the id is taken by a different checkpoint
   *     or the parent is not a checkpoint of this session; {@code INVALID_ID} for bad ids; {@code
   *     INVALID_ARGUMENT} for a missing session; {@code INVALID_JSON} for missing data or U+0000;
   *     {@code PAYLOAD_TOO_LARGE} when data or bytes exceed the configured payload limit
   */
  Checkpoint save(UUID sessionId, NewCheckpoint checkpoint);

  /** The session's newest checkpoint, or empty when it has none. */
  Optional<Checkpoint> latest(UUID sessionId);

  /** One checkpoint of a session, or empty (also for another tenant's). */
  Optional<Checkpoint> get(UUID sessionId, String checkpointId);

  /**
   * A page of a session's checkpoints, newest first: those with {@code sequence < beforeSequence}.
   * Page on with the last sequence seen; start with {@code Long.MAX_VALUE}.
   *
   * @param limit 1..{@link EventStore#MAX_PAGE}
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a bad limit or a missing session
   */
  List<Checkpoint> list(UUID sessionId, long beforeSequence, int limit);

  /**
   * The checkpoint a {@link Checkpoint#resumeToken() resume token} names.
   *
   * @return empty when it names no checkpoint of this tenant
   * @throws FlowstoreException {@code INVALID_ARGUMENT} when the token is malformed
   */
  Optional<Checkpoint> resume(String resumeToken);
}
