package dev.flowstore.redis.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.spi.ConfigSection;
import java.util.Set;

/** The {@code REDIS_*} keys: {@link RedisSettings}. */
public final class RedisConfigSection implements ConfigSection {
  @Override
  public Set<String> keys() {
    return Set.of("REDIS_DSN", "REDIS_QUEUE_VISIBILITY_TIMEOUT_S");
  }

  @Override
  public RedisSettings parse(FlowstoreConfig.Values in) {
    String dsn = in.text("REDIS_DSN", null);
    if (dsn != null && !(dsn.startsWith("redis://") || dsn.startsWith("rediss://"))) {
      throw ConfigSection.invalid(
          "REDIS_DSN", "must look like redis://[user:password@]host:6379/0 or rediss://...");
    }
    String selectedBy = in.selectedBy("redis");
    if (dsn == null && selectedBy != null) {
      throw ConfigSection.invalid(
          "REDIS_DSN", "required when " + selectedBy + "=redis (e.g. redis://127.0.0.1:6379/0)");
    }
    return new RedisSettings(dsn, in.integer("REDIS_QUEUE_VISIBILITY_TIMEOUT_S", 30, 1, 86_400));
  }
}
