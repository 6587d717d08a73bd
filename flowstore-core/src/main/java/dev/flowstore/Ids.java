package dev.flowstore;

import java.util.UUID;
import java.util.regex.Pattern;

/** Validation of the ids flowstore accepts from callers. */
public final class Ids {
  private static final Pattern STREAM = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:@=+-]{0,199}$");

  private Ids() {}

  /**
   * Checks a stream id: 1-200 chars of letters, digits and {@code _ . : @ = + -}, starting with a
   * letter or digit. The category of a stream is the part before its first '-' (e.g. {@code
   * order-42} is in {@code order}).
   */
  public static String stream(String stream) {
    if (stream == null || !STREAM.matcher(stream).matches()) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ID,
          "invalid stream id "
              + quote(stream)
              + ": use 1-200 chars of letters, digits, '_', '.', ':', '@', '=', '+' or '-', starting with a letter or digit");
    }
    return stream;
  }

  /** The category of a stream: the part before the first '-', or the whole id when it has none. */
  public static String category(String stream) {
    int dash = stream.indexOf('-');
    return dash < 0 ? stream : stream.substring(0, dash);
  }

  /** Parses a UUID, failing with {@link ErrorCode#INVALID_ID} naming {@code what}. */
  public static UUID uuid(String what, String value) {
    try {
      if (value == null || value.length() != 36) throw new IllegalArgumentException();
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ID, what + " must be a UUID, got " + quote(value));
    }
  }

  static String quote(String value) {
    if (value == null) return "null";
    String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    return "'" + shown.replace("\u0000", "\\u0000") + "'";
  }
}
