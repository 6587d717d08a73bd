package dev.flowstore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sessions (runs) of one tenant. Every change commits together with the event that records it
 * ({@code session.created}, {@code session.changed}, {@code session.expired}; metadata
 * from_state/to_state) in the session's stream {@link #streamOf}, so the history is complete and
 * any version can be rebuilt by replay.
 */
public interface Sessions {
  /** The event stream of a session. */
  static String streamOf(UUID sessionId) {
    return "session-" + sessionId;
  }

  /**
   * Creates an ACTIVE session at version 0. With a caller-supplied id that already exists, returns
   * the existing session if it was created from the same request, else VERSION_CONFLICT.
   *
   * @throws FlowstoreException NOT_FOUND for an unknown flow; INVALID_ARGUMENT when params fail the
   *     flow's param_schema (the message lists each failing path)
   */
  Session create(NewSession request);

  Optional<Session> get(UUID sessionId);

  /**
   * The session as it was at {@code version}, rebuilt by replaying its stream.
   *
   * @throws FlowstoreException NOT_FOUND if the session or that version does not exist
   */
  Session getAsOf(UUID sessionId, long version);

  /** A page of sessions, newest first. */
  record Page(List<Session> sessions, String nextCursor) {}

  /**
   * Lists sessions newest first, optionally by status and flow.
   *
   * @param cursor null for the first page, else the previous page's {@code nextCursor}
   */
  Page list(SessionStatus status, String flowId, int limit, String cursor);

  /**
   * Applies a change if the session is at {@code expectedVersion} and ACTIVE.
   *
   * @throws FlowstoreException VERSION_CONFLICT when another change came first (nothing written);
   *     UNPROCESSABLE when the session has ended; NOT_FOUND
   */
  Session change(UUID sessionId, long expectedVersion, SessionChange change);

  /** The session's events (its history), oldest first. */
  List<RecordedEvent> history(UUID sessionId, long fromVersion, int limit);

  /**
   * Marks ACTIVE sessions whose {@code expiresAt <= now} EXPIRED (each with its event), at most
   * {@code max}.
   *
   * @return how many expired
   */
  int expireDue(Instant now, int max);
}
