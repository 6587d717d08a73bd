package dev.flowstore.redis.internal;

import dev.flowstore.FlowstoreConfig;

/**
 * The {@code REDIS_*} keys of a configuration, parsed and checked by {@link RedisConfigSection}
 * when the configuration is built.
 *
 * @param dsn {@code REDIS_DSN}, or null when unset (required when FLOWSTORE_QUEUE_BACKEND or
 *     FLOWSTORE_CACHE is redis)
 * @param visibilityTimeoutSeconds {@code REDIS_QUEUE_VISIBILITY_TIMEOUT_S}: default lease of the
 *     Redis queue (default 30)
 */
public record RedisSettings(String dsn, int visibilityTimeoutSeconds) {
  /** The Redis settings of {@code config}. */
  public static RedisSettings of(FlowstoreConfig config) {
    return config.section(RedisSettings.class);
  }
}
