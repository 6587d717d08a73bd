package dev.flowstore.server.internal.http;

import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The request's trace id: the caller's {@code X-Trace-Id} when it is well-formed, else a new one.
 * It is echoed on every response, errors included, and stored in appended events' metadata.
 */
public final class TraceIds {
  public static final String HEADER = "X-Trace-Id";
  private static final String ATTRIBUTE = "flowstore.trace_id";
  private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  private TraceIds() {}

  /** The trace id of {@code ctx}, assigned (and set on the response) on first use. */
  public static String of(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    if (id == null) {
      String given = ctx.header(HEADER);
      // why: a malformed id is replaced, not rejected: tracing must never fail a request
      id = given != null && VALID.matcher(given).matches() ? given : generate();
      ctx.attribute(ATTRIBUTE, id);
      ctx.header(HEADER, id);
    }
    return id;
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
