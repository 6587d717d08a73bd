package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code FLOWSTORE_CACHE}: none by default, redis only with a REDIS_DSN. */
class FlowstoreConfigCacheTest {
  @Test
  void theCacheIsOffUnlessAskedForAndNeedsRedis() {
    assertThat(FlowstoreConfig.fromMap(Map.of()).cache()).isEqualTo("none");
    assertThat(FlowstoreConfig.fromMap(Map.of("REDIS_DSN", "redis://127.0.0.1:6379/0")).cache())
        .as("a REDIS_DSN alone turns nothing on")
        .isEqualTo("none");
    assertThat(
            FlowstoreConfig.fromMap(
                    Map.of("FLOWSTORE_CACHE", "REDIS", "REDIS_DSN", "redis://127.0.0.1:6379/0"))
                .cache())
        .isEqualTo("redis");
    assertThatThrownBy(() -> FlowstoreConfig.fromMap(Map.of("FLOWSTORE_CACHE", "redis")))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
              assertThat(e.getMessage())
                  .startsWith("REDIS_DSN: required when FLOWSTORE_CACHE=redis");
            });
    assertThatThrownBy(() -> FlowstoreConfig.fromMap(Map.of("FLOWSTORE_CACHE", "memcached")))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> assertThat(e.getMessage()).startsWith("FLOWSTORE_CACHE: must be one of"));
    assertThat(FlowstoreConfig.KEYS).contains("FLOWSTORE_CACHE");
    assertThat(FlowstoreConfig.fromMap(Map.of()).withHttpPort(0).cache()).isEqualTo("none");
  }
}
