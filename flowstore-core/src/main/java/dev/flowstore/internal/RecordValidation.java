package dev.flowstore.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Checks for the workflow records (steps, checkpoints, nodes, tasks, resume handles, commands)
 * before any backend touches storage, so bad input is never half-written. Messages name the
 * snake_case field.
 */
public final class RecordValidation {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:@=+/-]{0,199}$");

  private RecordValidation() {}

  /**
   * Checks a name-like id (node id, step, checkpoint id, task/command type, correlation id,
   * idempotency key): 1-200 chars of letters, digits and {@code _ . : @ = + / -}, starting with a
   * letter or digit.
   */
  public static String name(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      String shown =
          value == null
              ? "null"
              : "'"
                  + (value.length() > 80 ? value.substring(0, 80) + "..." : value)
                      .replace("\u0000", "\\u0000")
                  + "'";
      throw new FlowstoreException(
          ErrorCode.INVALID_ID,
          what
              + ": invalid id "
              + shown
              + ": use 1-200 chars of letters, digits, '_', '.', ':', '@', '=', '+', '/' or '-', starting with a letter or digit");
    }
    return value;
  }

  /** Fails with {@code INVALID_ARGUMENT} when a required value is null. */
  public static <T> T required(String what, T value) {
    if (value == null)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + " is required");
    return value;
  }

  /** Checks free text: null allowed unless required, at most {@code max} chars, no U+0000. */
  public static String text(String what, String value, int max, boolean required) {
    if (value == null) {
      if (required) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + " is required");
      return null;
    }
    if (required && value.isBlank())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + " must not be blank");
    if (value.length() > max)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          what + ": at most " + max + " characters, got " + value.length());
    if (value.indexOf('\u0000') >= 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, what + ": contains \\u0000, which flowstore does not store");
    return value;
  }

  /**
   * Serializes a JSON object for storage (null stays null unless required), rejecting U+0000 and
   * anything larger than {@code maxBytes} as UTF-8.
   */
  public static String json(String what, ObjectNode value, int maxBytes, boolean required) {
    if (value == null) {
      if (required)
        throw new FlowstoreException(
            ErrorCode.INVALID_JSON, what + ": expected a JSON object, got nothing");
      return null;
    }
    Json.rejectNul(what, value);
    String text = Json.write(value);
    size(what, text.getBytes(StandardCharsets.UTF_8).length, maxBytes);
    return text;
  }

  /** Fails with {@code PAYLOAD_TOO_LARGE} when {@code bytes > maxBytes}. */
  public static void size(String what, int bytes, int maxBytes) {
    if (bytes > maxBytes) {
      throw new FlowstoreException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          what
              + ": "
              + bytes
              + " bytes, the limit is "
              + maxBytes
              + " (FLOWSTORE_MAX_PAYLOAD_BYTES)");
    }
  }

  /** Checks a page size: 1..{@code EventStore.MAX_PAGE}. */
  public static int limit(int limit) {
    return EventValidation.limit(limit);
  }

  /** The lower-case hex SHA-256 of a text's UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
