package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.NewSession;
import dev.flowstore.Records;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.Sessions;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The cache's Redis stopped mid-run (sessions and records) (a redis-server of this class's own, AOF
 * with {@code appendfsync always}, so the entries it held come back with it): reads and writes keep
 * working from SQL, the failures are counted, and the entries that outlived the outage are never
 * served stale.
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

  private static ObjectNode agent(String username) {
    return JsonNodeFactory.instance.objectNode().put("username", username);
  }

  @Test
  void withRedisDownReadsAndWritesGoToSqlAndAfterItReturnsNoStaleSessionIsRead() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    Session other = sessions.create(NewSession.builder().build());
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(sessions.get(other.sessionId())).contains(other);
    String agents = "agents_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    fs.collections()
        .declare(
            CollectionSpec.of(agents)
                .withIndexed(IndexedField.string("/username"))
                .withUnique("/username"));
    Records records = fs.records(t);
    StoredRecord r = records.create(agents, NewRecord.of("a1", agent("alice")));
    assertThat(records.get(agents, "a1")).contains(r);
    String cachedV0;
    String recordV0;
    try (CacheProbe probe = new CacheProbe(fs, redis.dsn())) {
      cachedV0 = probe.entry(t, s.sessionId());
      assertThat(cachedV0).isNotNull();
      recordV0 = probe.record(t, agents, "a1");
      assertThat(recordV0).isNotNull();
    }
    CacheProbe counters = new CacheProbe(fs, redis.dsn());
    long readFailures = counters.count("flowstore.cache.read.failures");
    long invalidationFailures = counters.count("flowstore.cache.invalidation.failures");
    long recordReadFailures = counters.count("flowstore.cache.records.read.failures");
    long recordInvalidationFailures =
        counters.count("flowstore.cache.records.invalidation.failures");
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
    assertThat(records.get(agents, "a1")).contains(r);
    assertThat(count("flowstore.cache.records.read.failures")).isGreaterThan(recordReadFailures);
    StoredRecord r1 = records.replace(agents, "a1", 0, agent("alice2"));
    assertThat(count("flowstore.cache.records.invalidation.failures"))
        .isGreaterThan(recordInvalidationFailures);
    assertThat(records.get(agents, "a1")).contains(r1);
    StoredRecord b = records.create(agents, NewRecord.of("b1", agent("bob")));
    assertThat(records.get(agents, "b1")).contains(b);

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

      assertThat(probe.record(t, agents, "a1"))
          .as("the AOF brought the pre-outage record entry back")
          .isEqualTo(recordV0);
      long recordStale = probe.count("flowstore.cache.records.stale");
      long recordHits = probe.count("flowstore.cache.records.hits");
      assertThat(records.get(agents, "a1")).contains(r1);
      assertThat(probe.count("flowstore.cache.records.stale")).isEqualTo(recordStale + 1);
      assertThat(records.get(agents, "a1")).contains(r1);
      assertThat(probe.count("flowstore.cache.records.hits")).isEqualTo(recordHits + 1);
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
