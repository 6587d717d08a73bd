package dev.flowstore.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;

/**
 * The {@code REDIS_*} keys, parsed by this module's section; {@code FLOWSTORE_CACHE} and {@code
 * FLOWSTORE_QUEUE_BACKEND} accept redis because this module is on the classpath.
 */
class RedisConfigSectionTest {
  private static final String DSN = "redis://127.0.0.1:6379/0";

  @Test
  void theCacheIsOffUnlessAskedForAndNeedsRedis() {
    assertThat(FlowstoreConfig.fromMap(Map.of()).cache()).isEqualTo("none");
    assertThat(FlowstoreConfig.fromMap(Map.of("REDIS_DSN", DSN)).cache())
        .as("a REDIS_DSN alone turns nothing on")
        .isEqualTo("none");
    FlowstoreConfig cached =
        FlowstoreConfig.fromMap(Map.of("FLOWSTORE_CACHE", "REDIS", "REDIS_DSN", DSN));
    assertThat(cached.cache()).isEqualTo("redis");
    assertThat(RedisSettings.of(cached)).isEqualTo(new RedisSettings(DSN, 30));
    assertFails(Map.of("FLOWSTORE_CACHE", "redis"))
        .isEqualTo(
            "REDIS_DSN: required when FLOWSTORE_CACHE=redis (e.g. redis://127.0.0.1:6379/0)");
    assertFails(Map.of("FLOWSTORE_CACHE", "memcached"))
        .startsWith(
            "FLOWSTORE_CACHE: must be one of [none, redis] (found on the classpath), got 'memcached'");
  }

  @Test
  void theQueueOnRedisNeedsItsDsnAndEveryRedisKeyIsChecked() {
    FlowstoreConfig queued =
        FlowstoreConfig.fromMap(Map.of("FLOWSTORE_QUEUE_BACKEND", "redis", "REDIS_DSN", DSN));
    assertThat(queued.queueBackend()).isEqualTo("redis");
    assertFails(Map.of("FLOWSTORE_QUEUE_BACKEND", "redis", "FLOWSTORE_CACHE", "redis"))
        .isEqualTo(
            "REDIS_DSN: required when FLOWSTORE_QUEUE_BACKEND=redis (e.g. redis://127.0.0.1:6379/0)");
    assertFails(Map.of("REDIS_DSN", "127.0.0.1:6379"))
        .isEqualTo("REDIS_DSN: must look like redis://[user:password@]host:6379/0 or rediss://...");
    assertFails(Map.of("REDIS_QUEUE_VISIBILITY_TIMEOUT_S", "0"))
        .isEqualTo("REDIS_QUEUE_VISIBILITY_TIMEOUT_S: must be between 1 and 86400, got 0");
    assertFails(Map.of("FLOWSTORE_QUEUE_BACKEND", "postgres"))
        .isEqualTo(
            "FLOWSTORE_QUEUE_BACKEND: 'postgres' differs from FLOWSTORE_STORE_BACKEND 'sqlite'; a"
                + " SQL queue must use the store's database (or use redis)");
    assertFails(Map.of("FLOWSTORE_QUEUE_BACKEND", "kafka"))
        .startsWith(
            "FLOWSTORE_QUEUE_BACKEND: must be one of [redis, sqlite] (found on the classpath), got 'kafka'");
    assertThat(FlowstoreConfig.keys())
        .contains("REDIS_DSN", "REDIS_QUEUE_VISIBILITY_TIMEOUT_S", "POSTGRES_DSN");
  }

  private static AbstractStringAssert<?> assertFails(Map<String, String> values) {
    return assertThatThrownBy(() -> FlowstoreConfig.fromMap(values))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
        .message();
  }
}
