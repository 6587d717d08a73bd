package dev.flowstore.server.internal.dashboard;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import io.javalin.http.Context;
import java.util.UUID;

/** The dashboard's query and form values, with the API's error codes for bad ones. */
final class Params {
  private Params() {}

  static UUID uuid(String what, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ID,
          what + ": '" + shown(value) + "' is not a UUID (like 0a1b2c3d-...)");
    }
  }

  static long longParam(Context ctx, String name, long otherwise) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) return otherwise;
    try {
      long n = Long.parseLong(v.strip());
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, name + ": '" + shown(v) + "' is not a whole number >= 0");
    }
  }

  private static String shown(String v) {
    return v.length() > 80 ? v.substring(0, 80) + "..." : v;
  }
}
