package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The queue backend's command connection (one Lettuce connection, thread-safe and pipelined, shared
 * by every tenant's queue) and every call made over it: the script calls ({@link Scripts}, EVALSHA
 * with an EVAL fallback) and the mapping of Lettuce's failures to flowstore's codes.
 *
 * <p>why a class of its own: what a failed call means is decided here once — above all that a
 * script sent without an answer may have run ({@code OUTCOME_UNKNOWN}, {@link #maybeRan}) — so the
 * queue, the DLQ steps and the ack lanes cannot each map it their own way; {@link
 * RedisQueueBackend} keeps what outlives a call (the marker, the layout, the per-tenant memory).
 */
final class RedisCalls implements AutoCloseable {
  private final String where;
  private final String channel;
  private final Supplier<Instant> now;
  private final StatefulRedisConnection<String, String> conn;
  private final Map<String, String> shas = new ConcurrentHashMap<>();

  /**
   * Connects.
   *
   * @param where the backend as {@link RedisQueueBackend#describe()} names it, for messages
   * @param channel the pub/sub channel the scripts publish wake-ups on
   * @param now the script's "now" when the caller gives none
   */
  RedisCalls(RedisClient client, String where, String channel, Supplier<Instant> now) {
    this.where = where;
    this.channel = channel;
    this.now = now;
    this.conn = call(client::connect);
  }

  /** The connection's commands; run them through {@link #call}, which maps their failures. */
  RedisCommands<String, String> commands() {
    return conn.sync();
  }

  /** Runs Redis calls, mapping Lettuce's failures to flowstore's codes. */
  <T> T call(Supplier<T> work) {
    try {
      return work.get();
    } catch (RedisException e) {
      throw failure(e);
    }
  }

  /** A Lettuce failure as flowstore's: BACKEND_UNAVAILABLE, or INTERNAL for a command error. */
  private FlowstoreException failure(Throwable t) {
    t = unwrap(t);
    if (t instanceof FlowstoreException f) return f;
    if (t instanceof RedisCommandExecutionException e) {
      String m = String.valueOf(e.getMessage());
      for (String busy :
          new String[] {
            "LOADING", "BUSY", "MASTERDOWN", "READONLY", "OOM", "TRYAGAIN", "CLUSTERDOWN"
          }) if (m.startsWith(busy)) return unavailable(where, "command", e);
      return new FlowstoreException(ErrorCode.INTERNAL, "redis command failed: " + m, e);
    }
    if (t instanceof RedisException e) return unavailable(where, "command", e);
    if (t instanceof java.io.IOException e) return unavailable(where, "connection", e);
    return new FlowstoreException(ErrorCode.INTERNAL, "redis command failed: " + t, t);
  }

  /** BACKEND_UNAVAILABLE for the backend {@code where}, failing at {@code what}. */
  static FlowstoreException unavailable(String where, String what, Exception e) {
    return new FlowstoreException(
        ErrorCode.BACKEND_UNAVAILABLE,
        "redis queue backend unavailable (" + what + " " + where + "): " + e.getMessage(),
        e);
  }

  /** Runs a script (EVALSHA, falling back to EVAL once Redis forgot it, e.g. after a restart). */
  List<Object> eval(String script, Keys keys, String... args) {
    return eval(script, keys, now.get(), args);
  }

  /** {@link #eval(String, Keys, String...)} with the script's "now" given. */
  List<Object> eval(String script, Keys keys, Instant now, String... args) {
    String[] argv = argv(keys, now, args);
    String[] k = {keys.route()};
    String sha = shas.computeIfAbsent(script, RedisCalls::sha1);
    try {
      try {
        return conn.sync().<List<Object>>evalsha(sha, ScriptOutputType.MULTI, k, argv);
      } catch (RedisNoScriptException e) {
        return conn.sync().<List<Object>>eval(script, ScriptOutputType.MULTI, k, argv);
      }
    } catch (RedisException e) {
      throw scriptFailure(e);
    }
  }

  /**
   * {@link #eval(String, Keys, Instant, String...)} without blocking: the future completes (on
   * Lettuce's I/O thread) with the reply or a FlowstoreException, at the latest after the command
   * timeout.
   */
  CompletableFuture<List<Object>> evalAsync(String script, Keys keys, Instant now, String... args) {
    String[] argv = argv(keys, now, args);
    String[] k = {keys.route()};
    String sha = shas.computeIfAbsent(script, RedisCalls::sha1);
    CompletableFuture<List<Object>> out = new CompletableFuture<>();
    try {
      conn.async()
          .<List<Object>>evalsha(sha, ScriptOutputType.MULTI, k, argv)
          .whenComplete(
              (reply, e) -> {
                if (e == null) {
                  out.complete(reply);
                } else if (unwrap(e) instanceof RedisNoScriptException) {
                  conn.async()
                      .<List<Object>>eval(script, ScriptOutputType.MULTI, k, argv)
                      .whenComplete(
                          (again, e2) -> {
                            if (e2 == null) out.complete(again);
                            else out.completeExceptionally(scriptFailure(e2));
                          });
                } else {
                  out.completeExceptionally(scriptFailure(e));
                }
              });
    } catch (RuntimeException e) {
      out.completeExceptionally(scriptFailure(e));
    }
    return out;
  }

  /**
   * A failed script call. Every script writes, so one that was sent and got no answer (the
   * connection dropped or the command timed out with it in flight) may have run: that is {@code
   * OUTCOME_UNKNOWN}, never BACKEND_UNAVAILABLE, which tells callers (and Idempotency-Key handling)
   * that nothing was written. A call rejected before it was sent (not connected) or refused by
   * Redis is mapped as any other failure.
   */
  private FlowstoreException scriptFailure(Throwable t) {
    t = unwrap(t);
    if (!maybeRan(t)) return failure(t);
    return new FlowstoreException(
        ErrorCode.OUTCOME_UNKNOWN,
        "redis queue backend ("
            + where
            + ") did not answer a script it may have run ("
            + t.getMessage()
            + "): the write may or may not be stored; read before retrying it",
        t);
  }

  /** Whether a failed script call may have run: it was sent and its answer never came. */
  static boolean maybeRan(Throwable t) {
    t = unwrap(t);
    // why IOException: Lettuce fails the commands in flight with the channel's own exception
    // (java.net.SocketException: Connection reset) when Redis dies under them
    return t instanceof java.io.IOException
        || t instanceof RedisCommandTimeoutException
        || (t instanceof RedisException
            && !(t instanceof RedisCommandExecutionException)
            && !(t instanceof RedisConnectionException)
            && !String.valueOf(t.getMessage()).startsWith("Currently not connected"));
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** The arguments every script starts with (see {@link Scripts}), then the call's own. */
  private String[] argv(Keys keys, Instant now, String... args) {
    String[] argv = new String[args.length + 4];
    argv[0] = keys.prefix();
    argv[1] = channel;
    argv[2] = keys.tenant().value();
    argv[3] = Long.toString(JobCodec.micros(now));
    System.arraycopy(args, 0, argv, 4, args.length);
    return argv;
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every key matching the glob {@code pattern}, by SCAN (1000 a page): a key may come twice, and
   * one created or deleted meanwhile may or may not come (Redis's SCAN guarantee).
   */
  void scan(String pattern, java.util.function.Consumer<String> each) {
    io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
    do {
      io.lettuce.core.ScanCursor from = cursor;
      io.lettuce.core.KeyScanCursor<String> page =
          call(
              () ->
                  conn.sync()
                      .scan(from, io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(1000)));
      page.getKeys().forEach(each);
      cursor = page;
    } while (!cursor.isFinished());
  }

  /**
   * The hashes at {@code keys} (empty for a missing key), by {@code HGETALL}s sent in one pipeline:
   * reads only, so a failure is BACKEND_UNAVAILABLE (or INTERNAL), never OUTCOME_UNKNOWN.
   */
  List<Map<String, String>> hgetalls(List<String> keys) {
    List<io.lettuce.core.RedisFuture<Map<String, String>>> replies = new ArrayList<>(keys.size());
    return call(
        () -> {
          for (String k : keys) replies.add(conn.async().hgetall(k));
          List<Map<String, String>> out = new ArrayList<>(keys.size());
          for (io.lettuce.core.RedisFuture<Map<String, String>> r : replies) {
            try {
              out.add(r.get());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new FlowstoreException(ErrorCode.INTERNAL, "interrupted reading redis", e);
            } catch (java.util.concurrent.ExecutionException e) {
              throw failure(e.getCause());
            }
          }
          return out;
        });
  }

  /** The reply of an {@link #evalAsync}, waited for; its failure as thrown. */
  static List<Object> join(CompletableFuture<List<Object>> reply) {
    try {
      return reply.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }

  /** For queues: applies {@code f} to a reply list's elements. */
  static <T> List<T> map(Object list, Function<Object, T> f) {
    return ((List<?>) list).stream().map(f).toList();
  }

  @Override
  public void close() {
    conn.close();
  }
}
