package dev.flowstore;

/** The life of a session. ACTIVE is the only state that accepts changes; the others are final. */
public enum SessionStatus {
  ACTIVE,
  COMPLETED,
  FAILED,
  ABANDONED,
  EXPIRED;

  public boolean isFinal() {
    return this != ACTIVE;
  }

  /** Parses a status name case-insensitively, failing with INVALID_ARGUMENT. */
  public static SessionStatus parse(String s) {
    for (SessionStatus v : values()) if (v.name().equalsIgnoreCase(s)) return v;
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        "status must be one of active, completed, failed, abandoned, expired; got '" + s + "'");
  }
}
