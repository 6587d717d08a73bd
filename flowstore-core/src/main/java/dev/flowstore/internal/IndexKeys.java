package dev.flowstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FieldType;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The index key of a record field: one text per typed value whose byte order (SQLite's BINARY,
 * PostgreSQL's {@code COLLATE "C"}) is the value order of the type, so every index of every type is
 * one text column of one B-tree, the same on every backend. A key is a type tag and the value:
 * {@code s<string>}, {@code n<16 hex digits>} (a double, sign-flipped so that byte order is numeric
 * order), {@code b0}/{@code b1}, {@code t<16 hex digits>} (microseconds since the epoch,
 * sign-flipped); null and missing are {@code ""}, before every value.
 */
public final class IndexKeys {
  /** The null key: a field that is missing or JSON null. */
  public static final String NULL = "";

  /** Longest indexable string, in chars (PostgreSQL's B-tree caps an entry near 2700 bytes). */
  public static final int MAX_STRING = 512;

  private IndexKeys() {}

  /** The key of a field of {@code data}, refusing a value of another type (naming the field). */
  public static String of(IndexedField field, JsonNode data) {
    JsonNode v = data.at(field.pointer());
    if (v.isMissingNode() || v.isNull()) return NULL;
    return key(field, v, "data" + field.pointer());
  }

  /** The key of a query value for {@code field}; a bad value is INVALID_ARGUMENT naming it. */
  public static String ofValue(IndexedField field, JsonNode value) {
    if (value == null || value.isNull())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, field.pointer() + ": a filter value may not be null");
    return key(field, value, "filter on " + field.pointer());
  }

  /**
   * The smallest key greater than every string key starting with {@code prefix}: a prefix filter is
   * the range {@code [s<prefix>, upper)}.
   */
  public static String prefixUpperBound(String prefix) {
    String p = "s" + prefix;
    int end = p.length();
    while (end > 0) {
      int cp = p.codePointBefore(end);
      int start = end - Character.charCount(cp);
      if (cp < Character.MAX_CODE_POINT) {
        int next = cp + 1;
        if (next == Character.MIN_SURROGATE) next = Character.MAX_SURROGATE + 1;
        return p.substring(0, start) + new String(Character.toChars(next));
      }
      end = start;
    }
    throw new IllegalStateException("unreachable: the tag 's' has a successor");
  }

  private static String key(IndexedField field, JsonNode v, String what) {
    FieldType type = field.type();
    switch (type) {
      case STRING -> {
        if (!v.isTextual()) throw wrong(what, type, v);
        String s = v.textValue();
        if (s.length() > MAX_STRING)
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              what + ": an indexed string holds at most " + MAX_STRING + " characters");
        return "s" + s;
      }
      case NUMBER -> {
        if (!v.isNumber()) throw wrong(what, type, v);
        double d = v.doubleValue();
        if (Double.isInfinite(d)) throw wrong(what, type, v);
        long bits = Double.doubleToLongBits(d == 0.0 ? 0.0 : d);
        return "n" + hex(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) throw wrong(what, type, v);
        return v.booleanValue() ? "b1" : "b0";
      }
      case TIMESTAMP -> {
        if (!v.isTextual()) throw wrong(what, type, v);
        Instant t;
        try {
          t = OffsetDateTime.parse(v.textValue()).toInstant();
        } catch (DateTimeParseException e) {
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              what
                  + ": indexed as timestamp, got "
                  + shown(v)
                  + ": use an ISO-8601 instant with an offset, e.g. 2025-03-01T09:30:00Z");
        }
        return "t" + hex(ChronoUnit.MICROS.between(Instant.EPOCH, t) ^ Long.MIN_VALUE);
      }
    }
    throw new IllegalStateException("unknown type " + type);
  }

  private static String hex(long v) {
    return String.format("%016x", v);
  }

  private static FlowstoreException wrong(String what, FieldType type, JsonNode v) {
    return new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        what
            + ": indexed as "
            + type.name().toLowerCase(java.util.Locale.ROOT)
            + ", got "
            + shown(v));
  }

  private static String shown(JsonNode v) {
    String s = v.toString();
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
