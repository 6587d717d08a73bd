package dev.flowstore;

/**
 * The type of an indexed record field. A value of another type is refused on write ({@code
 * INVALID_ARGUMENT} naming the field). A missing field or JSON {@code null} is indexed as null: it
 * sorts before every value and matches no filter.
 */
public enum FieldType {
  /** A JSON string, compared by Unicode code point (the same on every backend). */
  STRING,
  /** A JSON number, compared as a double. */
  NUMBER,
  /** {@code true} or {@code false}; false sorts first. */
  BOOLEAN,
  /**
   * A JSON string holding an ISO-8601 instant with an offset ({@code 2025-03-01T09:30:00Z}),
   * compared as an instant to the microsecond.
   */
  TIMESTAMP
}
