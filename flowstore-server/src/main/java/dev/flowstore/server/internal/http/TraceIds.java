package dev.flowstore.server.internal.http;

import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The request's trace id: the caller's {@code X-Trace-Id} when it is well-formed, else the trace id
 * of a valid W3C {@code traceparent}, else a new one (the request's span's when tracing is on). It
 * is echoed on every response, errors included, and stored in appended events' metadata and
 * enqueued jobs' {@code trace_id}.
 */
public final class TraceIds {
  public static final String HEADER = "X-Trace-Id";
  public static final String TRACEPARENT = "traceparent";
  // version-traceid-parentid-flags; version ff is invalid, and so are all-zero ids
  private static final Pattern W3C =
      Pattern.compile("^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);
  private static final String ATTRIBUTE = "flowstore.trace_id";
  private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  private TraceIds() {}

  /** The trace id of {@code ctx}, assigned (and set on the response) on first use. */
  public static String of(Context ctx) {
    return of(ctx, TraceIds::generate);
  }

  /** {@link #of(Context)}, with {@code otherwise} for a request that names no trace. */
  static String of(Context ctx, java.util.function.Supplier<String> otherwise) {
    String id = ctx.attribute(ATTRIBUTE);
    if (id == null) {
      String given = ctx.header(HEADER);
      String parent = traceparentTraceId(ctx.header(TRACEPARENT));
      // why: a malformed id is replaced, not rejected: tracing must never fail a request
      if (given != null && VALID.matcher(given).matches()) id = given;
      else if (parent != null) id = parent;
      else id = otherwise.get();
      ctx.attribute(ATTRIBUTE, id);
      ctx.header(HEADER, id);
    }
    return id;
  }

  /** The trace id of a valid W3C {@code traceparent} header, or null. */
  public static String traceparentTraceId(String traceparent) {
    if (traceparent == null) return null;
    var m = W3C.matcher(traceparent.trim());
    if (!m.matches() || m.group(1).equals("ff")) return null;
    if (m.group(1).equals("00") && m.group(5) != null) return null; // version 00 has no more fields
    if (m.group(2).equals(ZERO_TRACE) || m.group(3).equals(ZERO_SPAN)) return null;
    return m.group(2);
  }

  /**
   * 32 lower-case hex chars, the W3C trace-context trace id format. why ThreadLocalRandom: a trace
   * id must be unique, not unguessable, and SecureRandom (NativePRNG) reads /dev/urandom under one
   * global lock on every request.
   */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
  }
}
