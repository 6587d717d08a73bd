package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * Who a request says it acts for, written as {@code actor} into the metadata of the record events
 * it causes: the {@code X-Actor} header (the caller's word: a user, an agent, a service, such as
 * {@code user:ann}), else {@code api-key:<key id>} when the request came with an API key, else
 * nothing (dev mode). The header is checked on every records route, so a bad one is refused before
 * anything is written.
 */
final class Actors {
  static final String HEADER = "X-Actor";
  static final int MAX = 200;
  // why: printable ASCII only: a header is not reliably UTF-8 on the way here, and an actor is an
  // id (user:ann), not a display name; no space at either end (proxies trim them)
  private static final Pattern VALID = Pattern.compile("^[!-~]([ -~]{0,198}[!-~])?$");

  private Actors() {}

  /** The request's actor (see the class comment), or null; INVALID_ARGUMENT for a bad header. */
  static String of(Context ctx, RequestScope scope) {
    String given = ctx.header(HEADER);
    if (given != null) return check(given);
    String key = scope.keyId(ctx);
    return key == null ? null : "api-key:" + key;
  }

  /** {@code given} if it is a valid actor, else INVALID_ARGUMENT saying what one is. */
  static String check(String given) {
    if (given.length() > MAX)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          HEADER + ": at most " + MAX + " characters, got " + given.length());
    if (!VALID.matcher(given).matches())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          HEADER
              + ": 1-"
              + MAX
              + " printable ASCII characters, no space at either end (such as user:ann or agent:triage-bot), got '"
              + QueryParams.shorten(printable(given))
              + "'");
    return given;
  }

  /** The text with every character outside printable ASCII shown as \\uXXXX (for a message). */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray())
      if (c >= 0x20 && c < 0x7f) b.append(c);
      else b.append(String.format("\\u%04x", (int) c));
    return b.toString();
  }
}
