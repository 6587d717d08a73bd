package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The command inbox of one tenant's sessions. At most one active (RECEIVED or PROCESSING) command
 * per {@code (session, command type)} — a partial unique index — so a command submitted twice (a
 * double click, a retried request) is processed once. Transitions: RECEIVED -> PROCESSING ->
 * COMPLETED | FAILED, each a conditional update, so of two concurrent changes from one status at
 * most one succeeds.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#commands(TenantId)} or {@link
 * Transaction#commands()}.
 */
public interface Commands {
  /**
   * Receives a command. Not an error when it duplicates one: returns {@code duplicate = true} and
   * the stored command, without writing, when
   *
   * <ul>
   *   <li>{@code idempotencyKey} was used before by this tenant (for the same session, type and
   *       payload), or
   *   <li>an active command of the same session and type exists (its payload may differ; the new
   *       key is not stored).
   * </ul>
   *
   * Race-free: of concurrent submits of the same session and type, exactly one stores a command.
   *
   * @param payload a JSON object, or null for {}
   * @param idempotencyKey a name-like id, or null
   * @throws FlowstoreException {@code IDEMPOTENCY_KEY_REUSED} when the key was used for a different
   *     session, type or payload; {@code INVALID_ID} for a bad type or key; {@code
   *     INVALID_ARGUMENT} for a missing session; {@code INVALID_JSON}, {@code PAYLOAD_TOO_LARGE}
   *     for a bad payload
   */
  Recorded<Command> submit(
      UUID sessionId, String commandType, ObjectNode payload, String idempotencyKey);

  /** The command, or empty (also for another tenant's). */
  Optional<Command> get(UUID commandId);

  /**
   * RECEIVED -> PROCESSING. Of concurrent workers taking one command, exactly one succeeds.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} from any other status
   */
  Command startProcessing(UUID commandId);

  /**
   * PROCESSING -> COMPLETED.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} from any other status
   */
  Command complete(UUID commandId);

  /**
   * PROCESSING -> FAILED with why.
   *
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a missing or over-long error; {@code
   *     NOT_FOUND}; {@code UNPROCESSABLE} from any other status
   */
  Command fail(UUID commandId, String error);

  /**
   * A session's commands, newest first, optionally of one status.
   *
   * @param status null for all
   * @param limit 1..{@link EventStore#MAX_PAGE}
   */
  List<Command> list(UUID sessionId, Command.Status status, int limit);
}
