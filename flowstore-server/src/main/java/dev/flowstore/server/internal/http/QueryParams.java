package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed query parameters; a bad value is the client's mistake, so INVALID_ARGUMENT, never a 500.
 */
final class QueryParams {
  private QueryParams() {}

  static long longParam(Context ctx, String name, long dflt, long min, long max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) return dflt;
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, name + " must be an integer, got '" + shorten(raw) + "'");
    }
    if (value < min || value > max)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          name + " must be between " + min + " and " + max + ", got " + value);
    return value;
  }

  static int intParam(Context ctx, String name, int dflt, int min, int max) {
    return (int) longParam(ctx, name, dflt, min, max);
  }

  static String string(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    return raw == null || raw.isEmpty() ? null : raw;
  }

  /** An ISO-8601 instant ({@code 2030-01-01T00:00:00Z}), or null when absent. */
  static Instant instant(Context ctx, String name) {
    String raw = string(ctx, name);
    if (raw == null) return null;
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          name
              + " must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, got '"
              + shorten(raw)
              + "'");
    }
  }

  static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
