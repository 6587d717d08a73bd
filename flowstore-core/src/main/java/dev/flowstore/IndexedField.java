package dev.flowstore;

/**
 * A field of a collection's records that queries may filter and sort on.
 *
 * @param pointer the field as a JSON pointer (RFC 6901) into the record's data, e.g. {@code
 *     /status} or {@code /customer/id}; no array indexes
 * @param type what the field holds
 */
public record IndexedField(String pointer, FieldType type) {
  public static IndexedField string(String pointer) {
    return new IndexedField(pointer, FieldType.STRING);
  }

  public static IndexedField number(String pointer) {
    return new IndexedField(pointer, FieldType.NUMBER);
  }

  public static IndexedField bool(String pointer) {
    return new IndexedField(pointer, FieldType.BOOLEAN);
  }

  public static IndexedField timestamp(String pointer) {
    return new IndexedField(pointer, FieldType.TIMESTAMP);
  }
}
