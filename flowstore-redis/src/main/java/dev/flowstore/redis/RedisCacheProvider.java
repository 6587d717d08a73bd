package dev.flowstore.redis;

import dev.flowstore.redis.internal.RedisSessionCache;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.SessionCache;

/**
 * The read-through session cache on Redis, selected with {@code FLOWSTORE_CACHE=redis} and {@code
 * REDIS_DSN}. Entries live under {@code flowstore:<env>:{<tenant>}:session:<id>} for 5 minutes; the
 * SQL store stays the truth and every cached read is checked against the session's committed
 * version. See docs/operations.md "Cache".
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
