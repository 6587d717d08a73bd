package dev.flowstore.redis;

import dev.flowstore.redis.internal.RedisSessionCache;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.SessionCache;

/**
 * The read-through session and record cache on Redis, selected with {@code FLOWSTORE_CACHE=redis}
 * and {@code REDIS_DSN}. Entries live under {@code flowstore:<env>:{<tenant>}:session:<id>}, {@code
 * ...:record:<collection>:<id>} and {@code ...:record-by:<collection>:<hash>} for 5 minutes; the
 * SQL store stays the truth and every cached read is checked against the committed version. See
 * docs/operations.md and docs/records.md "Cache".
 */
public final class RedisCacheProvider implements CacheProvider {
  @Override
  public String name() {
    return "redis";
  }

  @Override
  public SessionCache open(CacheHost host) {
    return new RedisSessionCache(host);
  }
}
