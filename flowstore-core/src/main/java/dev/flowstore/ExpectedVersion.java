package dev.flowstore;

/**
 * What the caller expects a stream's current version to be when it appends. Versions start at 0 for
 * a stream's first event; a stream with no events has no version.
 */
public sealed interface ExpectedVersion {
  /** Append whatever the stream's version is. */
  ExpectedVersion ANY = new Any();

  /** Append only if the stream has no events yet. */
  ExpectedVersion NO_STREAM = new NoStream();

  /** Append only if the stream's last event has exactly this version. */
  static ExpectedVersion exact(long version) {
    if (version < 0) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "expected_version must be >= 0, 'any' or 'no_stream', got " + version);
    }
    return new Exact(version);
  }

  /**
   * Whether a stream whose last version is {@code current} (-1 for none) satisfies this
   * expectation.
   */
  boolean matches(long current);

  record Any() implements ExpectedVersion {
    @Override
    public boolean matches(long current) {
      return true;
    }

    @Override
    public String toString() {
      return "any";
    }
  }

  record NoStream() implements ExpectedVersion {
    @Override
    public boolean matches(long current) {
      return current < 0;
    }

    @Override
    public String toString() {
      return "no_stream";
    }
  }

  record Exact(long version) implements ExpectedVersion {
    @Override
    public boolean matches(long current) {
      return current == version;
    }

    @Override
    public String toString() {
      return Long.toString(version);
    }
  }
}
