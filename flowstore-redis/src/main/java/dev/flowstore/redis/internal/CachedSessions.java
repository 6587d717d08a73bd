package dev.flowstore.redis.internal;

import dev.flowstore.NewSession;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.spi.SessionVersions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One tenant's sessions through the Redis cache. {@link #get} reads Redis first and serves an entry
 * only when its version is the session's committed version (the store's one-column probe), else
 * reads the SQL store and stores what it read. Everything else goes to the SQL store: writes (the
 * store invalidates after their commit, {@link RedisSessionCache#invalidate}), and the reads that
 * are queries or replays (list, getAsOf, history).
 */
final class CachedSessions implements Sessions {
  private final RedisSessionCache cache;
  private final Keys keys;
  private final Sessions truth;
  private final SessionVersions versions;

  CachedSessions(RedisSessionCache cache, Keys keys, Sessions truth, SessionVersions versions) {
    this.cache = cache;
    this.keys = keys;
    this.truth = truth;
    this.versions = versions;
  }

  @Override
  public Optional<Session> get(UUID sessionId) {
    Objects.requireNonNull(sessionId, "session_id");
    return cache.get(
        keys.session(sessionId),
        cache.sessionCounters,
        SessionCodec::decode,
        SessionCodec::encode,
        s -> versions.current(sessionId).equals(OptionalLong.of(s.version())),
        () -> truth.get(sessionId));
  }

  @Override
  public Session create(NewSession request) {
    return truth.create(request);
  }

  @Override
  public Session getAsOf(UUID sessionId, long version) {
    return truth.getAsOf(sessionId, version);
  }

  @Override
  public Page list(SessionStatus status, String flowId, int limit, String cursor) {
    return truth.list(status, flowId, limit, cursor);
  }

  @Override
  public Session change(UUID sessionId, long expectedVersion, SessionChange change) {
    return truth.change(sessionId, expectedVersion, change);
  }

  @Override
  public List<RecordedEvent> history(UUID sessionId, long fromVersion, int limit) {
    return truth.history(sessionId, fromVersion, limit);
  }

  @Override
  public int expireDue(Instant now, int max) {
    return truth.expireDue(now, max);
  }
}
