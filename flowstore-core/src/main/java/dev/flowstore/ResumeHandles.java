package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Pause and resume of sessions by correlation id. A session that will wait for an outside answer
 * {@link #create creates} a handle (PENDING_PAUSE), saves what it needs, then {@link #markPaused
 * marks it PAUSED}; the answer {@link #resume resumes} it by correlation id, exactly once.
 *
 * <p>A resume that arrives while the handle is still PENDING_PAUSE is kept: the handle becomes
 * RESUMED with the payload (and no {@code pausedAt}), the resumer is told so ({@link
 * ResumeHandle#resumedBeforePause()}), and the session's {@link #markPaused} returns that RESUMED
 * handle, so the session continues at once with the payload instead of stopping.
 *
 * <p>At most one waiting (PENDING_PAUSE or PAUSED) handle exists per correlation id (a partial
 * unique index). An instance is bound to a tenant: get one from {@link
 * Flowstore#resumeHandles(TenantId)} or {@link Transaction#resumeHandles()}.
 */
public interface ResumeHandles {
  /**
   * Creates a PENDING_PAUSE handle.
   *
   * @param expiresAt null for never; otherwise must be in the future
   * @throws FlowstoreException {@code UNPROCESSABLE} when a waiting handle for the correlation id
   *     exists; {@code INVALID_ID} for a bad correlation id; {@code INVALID_ARGUMENT} for a missing
   *     session or a past expiry
   */
  ResumeHandle create(UUID sessionId, String correlationId, Instant expiresAt);

  /**
   * Completes the pause: PENDING_PAUSE -> PAUSED. When the handle was already resumed before the
   * pause completed, returns it unchanged (RESUMED, with the payload): continue the session with
   * it.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} when it is PAUSED already,
   *     EXPIRED, or RESUMED after pausing
   */
  ResumeHandle markPaused(UUID handleId);

  /**
   * Resumes the waiting handle of a correlation id with the answer. Succeeds exactly once: of
   * concurrent resumes, one returns the RESUMED handle and the others fail with {@code
   * UNPROCESSABLE}. A handle past its {@code expiresAt} cannot be resumed even before the sweeper
   * has marked it.
   *
   * @param payload a JSON object, or null for {}
   * @throws FlowstoreException {@code NOT_FOUND} when the correlation id has no handle at all;
   *     {@code UNPROCESSABLE} when its handles are all RESUMED or EXPIRED (or past expiry); {@code
   *     INVALID_ID}, {@code INVALID_JSON}, {@code PAYLOAD_TOO_LARGE} for bad input
   */
  ResumeHandle resume(String correlationId, ObjectNode payload);

  /**
   * Marks every waiting handle with {@code expiresAt <= now} EXPIRED (the sweeper's job; {@code
   * now} is a parameter so tests and sweepers choose the time).
   *
   * @return how many were marked
   */
  int expire(Instant now);

  /** The handle, or empty (also for another tenant's). */
  Optional<ResumeHandle> get(UUID handleId);

  /** The waiting handle of a correlation id, or empty. */
  Optional<ResumeHandle> waiting(String correlationId);

  /**
   * A session's handles, newest first.
   *
   * @param limit 1..{@link EventStore#MAX_PAGE}
   */
  List<ResumeHandle> list(UUID sessionId, int limit);
}
