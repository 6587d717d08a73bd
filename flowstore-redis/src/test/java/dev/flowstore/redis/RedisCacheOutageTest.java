package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewSession;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The session cache's Redis stopped mid-run (a redis-server of this class's own, AOF with {@code
 * appendfsync always}, so the entries it held come back with it): reads and writes keep working
 * from SQL, the failures are counted, and the entries that outlived the outage are never served
 * stale.
 */
class RedisCacheOutageTest extends FlowstoreTestBase {
  private RedisProcess redis;

  @Override
  protected FlowstoreConfig config() {
    redis = new RedisProcess(true).start();
    try {
      return FlowstoreConfig.fromMap(
          Map.of(
              "FLOWSTORE_DATA_DIR",
              Files.createTempDirectory("flowstore-test-").toString(),
              "FLOWSTORE_CACHE",
              "redis",
              "REDIS_DSN",
              redis.dsn()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  void stopRedis() {
    redis.close();
  }

  @Test
  void withRedisDownReadsAndWritesGoToSqlAndAfterItReturnsNoStaleSessionIsRead() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    Session other = sessions.create(NewSession.builder().build());
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(sessions.get(other.sessionId())).contains(other);
    String cachedV0;
    try (CacheProbe probe = new CacheProbe(fs, redis.dsn())) {
      cachedV0 = probe.entry(t, s.sessionId());
      assertThat(cachedV0).isNotNull();
    }
    CacheProbe counters = new CacheProbe(fs, redis.dsn());
    long readFailures = counters.count("flowstore.cache.read.failures");
    long invalidationFailures = counters.count("flowstore.cache.invalidation.failures");
    counters.close();

    redis.kill();
    // Lettuce notices the closed socket asynchronously: wait until reads fail over to SQL
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              assertThat(sessions.get(s.sessionId())).contains(s);
              return count("flowstore.cache.read.failures") > readFailures;
            });
    Session s1 = sessions.change(s.sessionId(), 0, SessionChange.to("while-down"));
    assertThat(count("flowstore.cache.invalidation.failures")).isGreaterThan(invalidationFailures);
    assertThat(sessions.get(s.sessionId())).contains(s1);
    Session created = sessions.create(NewSession.builder().build());
    assertThat(sessions.get(created.sessionId())).contains(created);

    redis.start();
    try (CacheProbe probe = new CacheProbe(fs, redis.dsn())) {
      assertThat(probe.entry(t, s.sessionId()))
          .as("the AOF brought the pre-outage entry back")
          .isEqualTo(cachedV0);
      long stale = probe.count("flowstore.cache.stale");
      long hits = probe.count("flowstore.cache.hits");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                assertThat(sessions.get(s.sessionId())).contains(s1);
                return probe.count("flowstore.cache.hits") > hits;
              });
      assertThat(probe.count("flowstore.cache.stale")).isGreaterThan(stale);
      assertThat(sessions.get(other.sessionId())).contains(other);
    }
  }

  private long count(String name) {
    return fs.metrics().stream()
        .filter(m -> m.name().equals(name))
        .mapToLong(m -> m.count().getAsLong())
        .findFirst()
        .orElseThrow();
  }
}
