package dev.flowstore;

/**
 * Stable error codes. The name is the contract: clients match on it, the HTTP layer maps it to a
 * status, the CLI maps it to an exit code. Never rename a code; add new ones.
 */
public enum ErrorCode {
  /** A request field is missing, of the wrong type or out of range. */
  INVALID_ARGUMENT(400),
  /** The body is not well-formed JSON, or JSON where an object was required is not one. */
  INVALID_JSON(400),
  /** A tenant id does not match {@code ^[a-z0-9][a-z0-9_-]{0,62}$}. */
  INVALID_TENANT(400),
  /** A stream, session, job or other id is malformed. */
  INVALID_ID(400),
  /** A payload or request exceeds the configured size limit. */
  PAYLOAD_TOO_LARGE(413),
  /** No credentials, or credentials that match no tenant. */
  UNAUTHENTICATED(401),
  /**
   * The credentials are valid but their scope does not allow this (a read-only key that writes).
   */
  FORBIDDEN(403),
  /** The route exists but not for this HTTP method. */
  METHOD_NOT_ALLOWED(405),
  /**
   * The thing does not exist for this tenant (also used for other tenants' things: no existence
   * leak).
   */
  NOT_FOUND(404),
  /** The expected version of a stream or record did not match. */
  VERSION_CONFLICT(409),
  /** An event id supplied by the caller is already used by a different event or position. */
  EVENT_ID_CONFLICT(409),
  /**
   * A record with this id, or with this value of a unique field, already exists for the tenant. why
   * a code of its own: unlike VERSION_CONFLICT (re-read and retry), retrying cannot succeed; the
   * caller must choose another id or value.
   */
  ALREADY_EXISTS(409),
  /** A lease token is stale: the lease expired and the job was leased again. */
  LEASE_LOST(409),
  /** The same idempotency key is still being processed. */
  IDEMPOTENCY_IN_PROGRESS(409),
  /** The same idempotency key was used with a different request. */
  IDEMPOTENCY_KEY_REUSED(422),
  /** The request is well-formed but breaks a rule of the domain (illegal state transition...). */
  UNPROCESSABLE(422),
  /** A storage or queue backend cannot be reached; retrying later may succeed. */
  BACKEND_UNAVAILABLE(503),
  /**
   * The connection to the database was lost while a write was committing, and a check in a new
   * transaction could not tell whether it committed: it may or may not be stored. Read before
   * retrying a write that is not idempotent (one without caller-supplied event ids, say).
   */
  OUTCOME_UNKNOWN(503),
  /**
   * Writes are frozen for maintenance ({@code flowstore maintenance on}, e.g. while switching
   * backends): reads keep working; retry the write after the {@code Retry-After} seconds, or once
   * an operator has run {@code flowstore maintenance off}.
   */
  MAINTENANCE(503),
  /** Configuration is missing or invalid; the message names the key. */
  CONFIGURATION(500),
  /** A bug or an unexpected backend failure. */
  INTERNAL(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** The HTTP status this code is served with. */
  public int httpStatus() {
    return httpStatus;
  }
}
