package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.MetricCounter;
import dev.flowstore.Records;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.RecordVersions;
import dev.flowstore.spi.SessionCache;
import dev.flowstore.spi.SessionVersions;
import dev.flowstore.spi.UniqueValue;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Redis cache of sessions and records: one Lettuce connection of its own (the queue may
 * not be on Redis), counters, and the retry-once rule for cache writes and invalidations.
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

  /**
   * The counters of one kind of entry: sessions ({@code flowstore.cache.*}, the names from before
   * records were cached) or records ({@code flowstore.cache.records.*}).
   *
   * @param what "session" or "record", for log lines
   * @param prefix the counters' name prefix
   */
  record Counters(
      String what,
      String prefix,
      LongAdder hits,
      LongAdder misses,
      LongAdder stale,
      LongAdder readFailures,
      LongAdder writeFailures,
      LongAdder invalidationFailures) {
    Counters(String what, String prefix) {
      this(
          what,
          prefix,
          new LongAdder(),
          new LongAdder(),
          new LongAdder(),
          new LongAdder(),
          new LongAdder(),
          new LongAdder());
    }

    List<MetricCounter> metrics() {
      String of = what + " reads";
      return List.of(
          new MetricCounter(
              prefix + "hits",
              capital(of) + " served from the cache (version checked against SQL)",
              hits::sum),
          new MetricCounter(
              prefix + "misses", capital(of) + " not found in the cache", misses::sum),
          new MetricCounter(
              prefix + "stale",
              "Cached " + what + "s refused because SQL holds a newer version",
              stale::sum),
          new MetricCounter(
              prefix + "read.failures",
              "Cache reads of " + what + "s that failed (served from SQL)",
              readFailures::sum),
          new MetricCounter(
              prefix + "write.failures",
              "Cache writes of " + what + "s that failed after one retry",
              writeFailures::sum),
          new MetricCounter(
              prefix + "invalidation.failures",
              "Cache invalidations after a committed "
                  + what
                  + " write that failed after one retry",
              invalidationFailures::sum));
    }

    private static String capital(String s) {
      return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
  }

  final Counters sessionCounters = new Counters("session", "flowstore.cache.");
  final Counters recordCounters = new Counters("record", "flowstore.cache.records.");
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
      log.warn("cache {}: not reachable now, reads go to SQL: {}", describe(), e.toString());
    }
    log.info("session and record cache: {}", describe());
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

  private io.lettuce.core.api.async.RedisAsyncCommands<String, String> asyncRedis() {
    redis(); // connects, or throws while the cache is away
    return conn.async();
  }

  @Override
  public Sessions sessions(TenantId tenant, Sessions truth, SessionVersions versions) {
    return new CachedSessions(this, new Keys(env, tenant), truth, versions);
  }

  @Override
  public Records records(TenantId tenant, Records truth, RecordVersions versions) {
    return new CachedRecords(this, new Keys(env, tenant), truth, versions);
  }

  /**
   * The read-through rule of every kind of entry: an entry is served only when {@code committed}
   * says it is the committed row (a version probe of the SQL store), else (missing, stale,
   * undecodable) {@code truth} is read and, when Redis answered, stored.
   *
   * @param decode the entry, or null when it is not one of this format
   */
  <T> Optional<T> get(
      String key,
      Counters counters,
      Function<String, T> decode,
      Function<T, String> encode,
      Predicate<T> committed,
      Supplier<Optional<T>> truth) {
    Lookup cached = read(key, counters);
    if (cached.value() != null) {
      T entry = decode.apply(cached.value());
      // why: the version check makes a stale entry harmless, whatever left it there (a failed
      // invalidation, a crash before it, a reader that stored an old row after a write's DEL)
      if (entry != null && committed.test(entry)) {
        counters.hits().increment();
        return Optional.of(entry);
      }
      counters.stale().increment();
    } else if (cached.answered()) {
      counters.misses().increment();
    }
    Optional<T> fresh = truth.get();
    // why: Redis did not answer the read: don't wait for a write that would fail too
    if (fresh.isPresent() && cached.answered()) write(key, encode.apply(fresh.get()), counters);
    return fresh;
  }

  /**
   * {@link #get} for entries whose check is a probe of the SQL store that does not depend on the
   * entry (a record's committed version by id): the Redis {@code GET} is sent first and the probe
   * runs while it travels, so a hit costs the slower of the two, not both. An entry is served only
   * when {@code committed} holds for it and what the probe read; when the probe says there is no
   * row ({@code absent}), nothing is (the probe is a committed read, as {@code truth} would be).
   */
  <T, V> Optional<T> getProbed(
      String key,
      Counters counters,
      Function<String, T> decode,
      Function<T, String> encode,
      Supplier<V> probe,
      java.util.function.BiPredicate<T, V> committed,
      Predicate<V> absent,
      Supplier<Optional<T>> truth) {
    io.lettuce.core.RedisFuture<String> pending;
    try {
      pending = asyncRedis().get(key);
    } catch (RuntimeException e) {
      pending = null;
      counters.readFailures().increment();
      warn(counters, "read of " + key + " failed, reading SQL instead", e);
    }
    V probed = probe.get();
    Lookup cached = new Lookup(false, null);
    if (pending != null) {
      try {
        cached =
            new Lookup(
                true, pending.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        counters.readFailures().increment();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        counters.readFailures().increment();
        warn(
            counters,
            "read of " + key + " failed, reading SQL instead",
            new RuntimeException(e.getCause() == null ? e : e.getCause()));
      }
    }
    if (cached.value() != null) {
      T entry = decode.apply(cached.value());
      if (entry != null && committed.test(entry, probed)) {
        counters.hits().increment();
        return Optional.of(entry);
      }
      counters.stale().increment();
    } else if (cached.answered()) {
      counters.misses().increment();
    }
    if (absent.test(probed)) return Optional.empty();
    Optional<T> fresh = truth.get();
    if (fresh.isPresent() && cached.answered()) write(key, encode.apply(fresh.get()), counters);
    return fresh;
  }

  Lookup read(String key, Counters counters) {
    try {
      return new Lookup(true, redis().get(key));
    } catch (RuntimeException e) {
      counters.readFailures().increment();
      warn(counters, "read of " + key + " failed, reading SQL instead", e);
      return new Lookup(false, null);
    }
  }

  /** Stores an entry read from the SQL store; a failure is retried once, then counted. */
  void write(String key, String value, Counters counters) {
    RuntimeException e =
        twice(
            () -> {
              Faults.hit(Faults.Point.CACHE_WRITE);
              redis().set(key, value, SetArgs.Builder.px(TTL.toMillis()));
            });
    if (e != null) {
      counters.writeFailures().increment();
      warn(counters, "write of " + key + " failed twice (the read was served from SQL)", e);
    }
  }

  @Override
  public void invalidate(TenantId tenant, UUID sessionId) {
    delete(new Keys(env, tenant).session(sessionId), sessionCounters);
  }

  @Override
  public void invalidateRecord(
      TenantId tenant, String collection, String id, List<UniqueValue> uniqueValues) {
    Keys keys = new Keys(env, tenant);
    delete(keys.record(collection, id), recordCounters);
    for (UniqueValue u : uniqueValues)
      delete(keys.recordByUnique(collection, u.pointer(), u.value()), recordCounters);
  }

  /** Drops an entry after a committed write; a failure is retried once, then counted. */
  private void delete(String key, Counters counters) {
    RuntimeException e =
        twice(
            () -> {
              Faults.hit(Faults.Point.CACHE_INVALIDATE);
              redis().del(key);
            });
    if (e != null) {
      counters.invalidationFailures().increment();
      // why: harmless for readers (every hit is checked against the SQL version), but the entry
      // now costs a stale hit until it is reloaded or expires
      warn(counters, "invalidation of " + key + " failed twice after the write committed", e);
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

  private void warn(Counters counters, String what, RuntimeException e) {
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    String line =
        counters.what()
            + " cache "
            + describe()
            + ": "
            + what
            + ": "
            + e
            + " (failures so far: read "
            + counters.readFailures().sum()
            + ", write "
            + counters.writeFailures().sum()
            + ", invalidation "
            + counters.invalidationFailures().sum()
            + ")";
    // why: Redis down means one failure per request: one WARN per 10 s, the rest at DEBUG
    if (now - last >= WARN_EVERY_NANOS && lastWarnNanos.compareAndSet(last, now)) log.warn(line);
    else log.debug(line);
  }

  @Override
  public List<MetricCounter> metrics() {
    List<MetricCounter> all = new ArrayList<>(sessionCounters.metrics());
    all.addAll(recordCounters.metrics());
    return List.copyOf(all);
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
        + " (sessions and records, ttl "
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
