package dev.flowstore;

import java.time.Duration;
import java.time.Instant;

/**
 * Request idempotency keys of one tenant (the HTTP {@code Idempotency-Key} header). A request
 * {@link #begin}s under its key with a fingerprint of itself; the first one runs and {@link
 * #complete}s with its response, later ones get that response back. Keys expire ({@code
 * IDEMPOTENCY_TTL_HOURS}).
 */
public interface IdempotencyKeys {
  /** Longest key accepted. */
  int MAX_KEY_LENGTH = 255;

  /** What a request should do with its key. */
  sealed interface Outcome {}

  /**
   * The key is new (or expired, or its earlier run was abandoned): run the request, then complete
   * it.
   */
  record Proceed() implements Outcome {}

  /** The same request ran before: answer with its stored response. */
  record Replay(int status, String body) implements Outcome {}

  /** The same key is still running. */
  record InProgress() implements Outcome {}

  /** The key was used for a different request. */
  record Mismatch() implements Outcome {}

  /**
   * Claims {@code key} for a request with fingerprint {@code requestHash}. An in-progress claim
   * older than {@code staleAfter} counts as abandoned (its process died) and may be taken over.
   *
   * @throws FlowstoreException INVALID_ARGUMENT for an empty key or one over {@link
   *     #MAX_KEY_LENGTH}
   */
  Outcome begin(String key, String requestHash, Duration ttl, Duration staleAfter);

  /** Stores the response of a request that began under {@code key}. */
  void complete(String key, int status, String body);

  /** Releases a key whose request failed without effect, so a retry runs again. */
  void abandon(String key);

  /** Deletes keys that expired before {@code now}; returns how many. */
  int purgeExpired(Instant now);
}
