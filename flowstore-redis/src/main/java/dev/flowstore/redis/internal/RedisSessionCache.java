package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.MetricCounter;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.SessionCache;
import dev.flowstore.spi.SessionVersions;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Redis session cache: one Lettuce connection of its own (the queue may not be on Redis),
 * counters, and the retry-once rule for cache writes and invalidations.
 *
 * <p>Never in the way of the truth: every Redis failure is caught here, retried once (writes and
 * invalidations), logged (at most one WARN per kind every 10 s) and counted; reads then go to the
 * SQL store. While Redis is unreachable commands are rejected at once (not queued), and a cache
 * that could not connect at start tries again at most once a second.
 */
public final class RedisSessionCache implements SessionCache {
  private static final Logger log = LoggerFactory.getLogger(RedisSessionCache.class);
  static final Duration TTL = Duration.ofMinutes(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final long RECONNECT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  /**
   * What a read of Redis found.
   *
   * @param answered false when Redis failed to answer (down, timeout)
   * @param value the entry, null on a miss or a failure
   */
  record Lookup(boolean answered, String value) {}

  private final String env;
  private final RedisURI uri;
  private final RedisClient client;
  private volatile StatefulRedisConnection<String, String> conn;
  private long nextConnectNanos;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder readFailures = new LongAdder();
  private final LongAdder writeFailures = new LongAdder();
  private final LongAdder invalidationFailures = new LongAdder();
  private final AtomicLong lastWarnNanos = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  public RedisSessionCache(CacheHost host) {
    this.env = host.config().env();
    try {
      this.uri = RedisURI.create(RedisSettings.of(host.config()).dsn());
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(ErrorCode.CONFIGURATION, "REDIS_DSN: " + e.getMessage());
    }
    uri.setTimeout(TIMEOUT);
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // why: a cache that is away costs a fallback to SQL, never a wait
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .build());
    this.nextConnectNanos = System.nanoTime();
    try {
      redis();
    } catch (RuntimeException e) {
      log.warn(
          "session cache {}: not reachable now, reads go to SQL: {}", describe(), e.toString());
    }
    log.info("session cache: {}", describe());
  }

  private RedisCommands<String, String> redis() {
    StatefulRedisConnection<String, String> c = conn;
    if (c != null) return c.sync();
    synchronized (this) {
      if (conn == null) {
        if (System.nanoTime() - nextConnectNanos < 0)
          throw new RedisConnectionException("not connected to " + describe());
        try {
          conn = client.connect();
        } catch (RuntimeException e) {
          nextConnectNanos = System.nanoTime() + RECONNECT_EVERY_NANOS;
          throw e;
        }
      }
      return conn.sync();
    }
  }

  @Override
  public Sessions sessions(TenantId tenant, Sessions truth, SessionVersions versions) {
    return new CachedSessions(this, new Keys(env, tenant), truth, versions);
  }

  Lookup read(String key) {
    try {
      return new Lookup(true, redis().get(key));
    } catch (RuntimeException e) {
      readFailures.increment();
      warn("read of " + key + " failed, reading SQL instead", e);
      return new Lookup(false, null);
    }
  }

  /** Stores an entry read from the SQL store; a failure is retried once, then counted. */
  void write(String key, String value) {
    RuntimeException e =
        twice(
            () -> {
              Faults.hit(Faults.Point.CACHE_WRITE);
              redis().set(key, value, SetArgs.Builder.px(TTL.toMillis()));
            });
    if (e != null) {
      writeFailures.increment();
      warn("write of " + key + " failed twice (the read was served from SQL)", e);
    }
  }

  @Override
  public void invalidate(TenantId tenant, UUID sessionId) {
    String key = new Keys(env, tenant).session(sessionId);
    RuntimeException e =
        twice(
            () -> {
              Faults.hit(Faults.Point.CACHE_INVALIDATE);
              redis().del(key);
            });
    if (e != null) {
      invalidationFailures.increment();
      // why: harmless for readers (every hit is checked against the SQL version), but the entry
      // now costs a stale hit until it is reloaded or expires
      warn("invalidation of " + key + " failed twice after the write committed", e);
    }
  }

  /** Runs {@code step}, once more if it fails; the second failure (or null). */
  private static RuntimeException twice(Runnable step) {
    try {
      step.run();
      return null;
    } catch (RuntimeException first) {
      try {
        step.run();
        return null;
      } catch (RuntimeException second) {
        second.addSuppressed(first);
        return second;
      }
    }
  }

  private void warn(String what, RuntimeException e) {
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    String line =
        "session cache "
            + describe()
            + ": "
            + what
            + ": "
            + e
            + " (failures so far: read "
            + readFailures.sum()
            + ", write "
            + writeFailures.sum()
            + ", invalidation "
            + invalidationFailures.sum()
            + ")";
    // why: Redis down means one failure per request: one WARN per 10 s, the rest at DEBUG
    if (now - last >= WARN_EVERY_NANOS && lastWarnNanos.compareAndSet(last, now)) log.warn(line);
    else log.debug(line);
  }

  void hit() {
    hits.increment();
  }

  void miss() {
    misses.increment();
  }

  void stale() {
    stale.increment();
  }

  @Override
  public List<MetricCounter> metrics() {
    return List.of(
        new MetricCounter(
            "flowstore.cache.hits",
            "Session reads served from the cache (version checked against SQL)",
            hits::sum),
        new MetricCounter(
            "flowstore.cache.misses", "Session reads not found in the cache", misses::sum),
        new MetricCounter(
            "flowstore.cache.stale",
            "Cached sessions refused because SQL holds a newer version",
            stale::sum),
        new MetricCounter(
            "flowstore.cache.read.failures",
            "Cache reads that failed (served from SQL)",
            readFailures::sum),
        new MetricCounter(
            "flowstore.cache.write.failures",
            "Cache writes that failed after one retry",
            writeFailures::sum),
        new MetricCounter(
            "flowstore.cache.invalidation.failures",
            "Cache invalidations after a committed write that failed after one retry",
            invalidationFailures::sum));
  }

  @Override
  public String describe() {
    return "redis://"
        + uri.getHost()
        + ":"
        + uri.getPort()
        + "/"
        + uri.getDatabase()
        + " env "
        + env
        + " (sessions, ttl "
        + TTL.toSeconds()
        + "s)";
  }

  @Override
  public void close() {
    try {
      StatefulRedisConnection<String, String> c = conn;
      if (c != null) c.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
