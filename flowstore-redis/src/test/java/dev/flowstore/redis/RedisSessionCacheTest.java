package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.NewSession;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Redis session cache's own behaviour (SQLite store, Redis database 8): hits and misses,
 * invalidation after commit on every write path, and failures of the cache that must not fail a
 * write nor let a stale session be read.
 */
class RedisSessionCacheTest extends RedisCacheTestBase {
  private static final int DB = 8;

  @Override
  int db() {
    return DB;
  }

  private static SessionChange to(String state) {
    return SessionChange.to(state)
        .withState(JsonNodeFactory.instance.objectNode().put("at", state));
  }

  @Test
  void aFirstReadMissesAndStoresTheSessionAndTheNextOneHits() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    assertThat(probe.entry(t, s.sessionId())).as("a write does not populate").isNull();
    long hits = probe.count("flowstore.cache.hits");
    long misses = probe.count("flowstore.cache.misses");
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(probe.count("flowstore.cache.misses")).isEqualTo(misses + 1);
    assertThat(probe.entry(t, s.sessionId())).contains(s.sessionId().toString());
    assertThat(probe.ttlMillis(t, s.sessionId())).isBetween(1L, 5 * 60 * 1000L);
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(probe.count("flowstore.cache.hits")).isEqualTo(hits + 1);
    assertThat(sessions.get(UUID.randomUUID())).isEmpty();
  }

  @Test
  void aChangeDeletesTheEntryAfterItsCommitAndTheNextReadSeesIt() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    sessions.get(s.sessionId());
    assertThat(probe.entry(t, s.sessionId())).isNotNull();
    Session s1 = sessions.change(s.sessionId(), 0, to("review"));
    assertThat(probe.entry(t, s.sessionId())).isNull();
    assertThat(sessions.get(s.sessionId())).contains(s1);
    assertThat(sessions.get(s.sessionId())).contains(s1);
  }

  @Test
  void aWriteInACallersTransactionInvalidatesOnlyOnceItCommits() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    sessions.get(s.sessionId());
    fs.inTransaction(
        t,
        tx -> {
          tx.sessions().change(s.sessionId(), 0, to("inside"));
          assertThat(probe.entry(t, s.sessionId())).as("not committed yet").isNotNull();
          return null;
        });
    assertThat(probe.entry(t, s.sessionId())).isNull();
    assertThat(sessions.get(s.sessionId()).orElseThrow().currentState()).isEqualTo("inside");
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.sessions().change(s.sessionId(), 1, to("rolled-back"));
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(probe.entry(t, s.sessionId())).as("a rollback leaves the entry").isNotNull();
    assertThat(sessions.get(s.sessionId()).orElseThrow().currentState()).isEqualTo("inside");
  }

  @Test
  void expiryBySweepInvalidatesTheExpiredSessions() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().ttlSeconds(60).build());
    sessions.get(s.sessionId());
    assertThat(sessions.expireDue(s.createdAt().plusSeconds(61), 10)).isEqualTo(1);
    assertThat(probe.entry(t, s.sessionId())).isNull();
    assertThat(sessions.get(s.sessionId()).orElseThrow().status()).isEqualTo(SessionStatus.EXPIRED);
  }

  @Test
  void anInvalidationThatFailsTwiceIsCountedNeverFailsTheWriteAndNoStaleSessionIsRead() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    sessions.get(s.sessionId());
    String old = probe.entry(t, s.sessionId());
    long failures = probe.count("flowstore.cache.invalidation.failures");
    long stale = probe.count("flowstore.cache.stale");
    Faults.arm(Faults.Point.CACHE_INVALIDATE, 2);
    Session s1 = sessions.change(s.sessionId(), 0, to("after"));
    assertThat(probe.count("flowstore.cache.invalidation.failures")).isEqualTo(failures + 1);
    assertThat(probe.entry(t, s.sessionId())).as("the stale entry is still there").isEqualTo(old);
    assertThat(sessions.get(s.sessionId())).contains(s1);
    assertThat(probe.count("flowstore.cache.stale")).isEqualTo(stale + 1);
    assertThat(probe.entry(t, s.sessionId())).as("reloaded").isNotEqualTo(old);
    assertThat(sessions.get(s.sessionId())).contains(s1);
  }

  @Test
  void anInvalidationThatFailsOnceIsRetriedAndNotCounted() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    sessions.get(s.sessionId());
    long failures = probe.count("flowstore.cache.invalidation.failures");
    Faults.arm(Faults.Point.CACHE_INVALIDATE, 1);
    sessions.change(s.sessionId(), 0, to("after"));
    assertThat(probe.entry(t, s.sessionId())).isNull();
    assertThat(probe.count("flowstore.cache.invalidation.failures")).isEqualTo(failures);
  }

  @Test
  void aCacheWriteThatFailsTwiceIsCountedAndTheReadIsServedFromSql() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    long failures = probe.count("flowstore.cache.write.failures");
    Faults.arm(Faults.Point.CACHE_WRITE, 2);
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(probe.count("flowstore.cache.write.failures")).isEqualTo(failures + 1);
    assertThat(probe.entry(t, s.sessionId())).isNull();
  }

  @Test
  void anOldEntryStoredAfterAWritesInvalidationIsNeverServed() {
    // a reader that loaded version 0 before a write committed and stores it after the write's DEL
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    sessions.get(s.sessionId());
    String v0 = probe.entry(t, s.sessionId());
    Session s1 = sessions.change(s.sessionId(), 0, to("after"));
    probe.put(t, s.sessionId(), v0);
    assertThat(sessions.get(s.sessionId())).contains(s1);
  }

  @Test
  void aCorruptEntryIsAMissNotAnError() {
    TenantId t = newTenant();
    Sessions sessions = fs.sessions(t);
    Session s = sessions.create(NewSession.builder().build());
    probe.put(t, s.sessionId(), "{not json");
    assertThat(sessions.get(s.sessionId())).contains(s);
    assertThat(sessions.get(s.sessionId())).contains(s);
  }

  @Test
  void entriesAreScopedToTheirTenant() {
    TenantId a = newTenant();
    Session s = fs.sessions(a).create(NewSession.builder().build());
    fs.sessions(a).get(s.sessionId());
    TenantId b = newTenant();
    assertThat(fs.sessions(b).get(s.sessionId())).isEmpty();
    probe.put(b, s.sessionId(), probe.entry(a, s.sessionId()));
    assertThat(fs.sessions(b).get(s.sessionId()))
        .as("an entry under b's key is still checked against b's rows")
        .isEmpty();
  }

  @Test
  void theStoreNamesTheCache() {
    assertThat(fs.describe()).contains("cache redis://").contains("/" + DB);
  }
}
