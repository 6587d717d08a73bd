package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IdempotencyKeys;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Idempotency-Key} header, applied to every POST route in one place ({@link Routes}).
 *
 * <p>Without the header a request runs as usual. With it, the body is read once (at most {@link
 * RequestBody#largestCap}; the handler then reads the same bytes and applies its own cap), the
 * request is fingerprinted as SHA-256 of method, path and body, and {@link IdempotencyKeys#begin}
 * decides: run it, replay the stored response (status and body, with {@code Idempotent-Replayed:
 * true}), 409 IDEMPOTENCY_IN_PROGRESS while the first run is in flight, or 422
 * IDEMPOTENCY_KEY_REUSED for a different request. Only 2xx responses are stored: an error response
 * means nothing was written, so the key is abandoned and a corrected retry with the same key runs.
 */
final class IdempotentPosts {
  static final String HEADER = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";

  /**
   * A run that neither completed nor abandoned its key within this long is taken over (its process
   * died). POST handlers are single short transactions, far below it.
   */
  static final Duration STALE_AFTER = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(IdempotentPosts.class);

  private final Flowstore flowstore;
  private final RequestScope scope;

  IdempotentPosts(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  /** {@code route} with its handler behind the header's rules. */
  Route wrap(Route route) {
    Handler inner = route.handler();
    return new Route(route.method(), route.path(), ctx -> handle(ctx, inner));
  }

  private void handle(Context ctx, Handler inner) throws Exception {
    String key = ctx.header(HEADER);
    if (key == null) {
      inner.handle(ctx);
      return;
    }
    check(key);
    byte[] body = RequestBody.buffer(ctx, RequestBody.largestCap(flowstore.config()));
    IdempotencyKeys keys = flowstore.idempotencyKeys(scope.tenant(ctx));
    Duration ttl = Duration.ofHours(flowstore.config().idempotencyTtlHours());
    switch (keys.begin(key, fingerprint(ctx, body), ttl, STALE_AFTER)) {
      case IdempotencyKeys.Replay r -> {
        ctx.header(REPLAYED, "true");
        ctx.status(r.status()).contentType("application/json").result(r.body());
      }
      case IdempotencyKeys.InProgress p ->
          throw new FlowstoreException(
              ErrorCode.IDEMPOTENCY_IN_PROGRESS,
              "a request with this Idempotency-Key is still running; retry after it has finished");
      case IdempotencyKeys.Mismatch m ->
          throw new FlowstoreException(
              ErrorCode.IDEMPOTENCY_KEY_REUSED,
              "this Idempotency-Key was used for a different request (method, path or body); use a new key");
      case IdempotencyKeys.Proceed p -> run(ctx, inner, keys, key);
    }
  }

  private static void run(Context ctx, Handler inner, IdempotencyKeys keys, String key)
      throws Exception {
    try {
      inner.handle(ctx);
    } catch (FlowstoreException e) {
      if (e.code() == ErrorCode.OUTCOME_UNKNOWN) keepUnknown(ctx, keys, key, e);
      else abandon(keys, key);
      throw e;
    } catch (Throwable t) {
      abandon(keys, key);
      throw t;
    }
    int status = ctx.statusCode();
    if (status < 200 || status > 299) {
      abandon(keys, key);
      return;
    }
    InputStream result = ctx.resultInputStream();
    byte[] bytes = result == null ? new byte[0] : result.readAllBytes();
    ctx.result(bytes);
    try {
      keys.complete(key, status, new String(bytes, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // why: the request's effect is committed; failing it now would invite a retry that repeats it
      LOG.warn(
          "{} {}: response not stored under its Idempotency-Key ({}); a retry within {} gets 409, later it runs again",
          ctx.method(),
          ctx.path(),
          e.toString(),
          STALE_AFTER);
    }
  }

  /**
   * The write may have committed: releasing the key would let the client's retry run it a second
   * time, so the key keeps the OUTCOME_UNKNOWN answer (replayed to a retry, which then knows to
   * read what is stored before writing again under a new key). Never a guess.
   */
  private static void keepUnknown(
      Context ctx, IdempotencyKeys keys, String key, FlowstoreException e) {
    String body =
        dev.flowstore.internal.Json.write(
            ErrorResponses.body(e.code().name(), e.getMessage(), TraceIds.of(ctx)));
    try {
      keys.complete(key, e.code().httpStatus(), body);
    } catch (RuntimeException stored) {
      // why: not abandoned either: a retry within STALE_AFTER gets 409, later it runs again
      LOG.warn(
          "{} {}: outcome unknown and the answer not stored under its Idempotency-Key ({})",
          ctx.method(),
          ctx.path(),
          stored.toString());
    }
  }

  private static void abandon(IdempotencyKeys keys, String key) {
    try {
      keys.abandon(key);
    } catch (RuntimeException e) {
      LOG.warn("cannot release an Idempotency-Key after a failed request: {}", e.toString());
    }
  }

  private static void check(String key) {
    if (key.isEmpty()
        || key.length() > IdempotencyKeys.MAX_KEY_LENGTH
        || key.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          HEADER
              + ": must be 1-"
              + IdempotencyKeys.MAX_KEY_LENGTH
              + " printable ASCII characters, got "
              + key.length());
    }
  }

  /** SHA-256 (hex) of method, path and body: what makes two requests "the same request". */
  static String fingerprint(Context ctx, byte[] body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((ctx.method().name() + "\n" + ctx.path() + "\n").getBytes(StandardCharsets.UTF_8));
      sha.update(body);
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
