package dev.flowstore.spi;

import dev.flowstore.MetricCounter;
import dev.flowstore.Records;
import dev.flowstore.Sessions;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.UUID;

/**
 * An open session and record cache (see {@link CacheProvider}). Thread-safe.
 *
 * <p>Reads: {@link #sessions} decorates the store's own {@link Sessions} of a tenant ({@code
 * Flowstore.sessions(tenant)}); writes go through to it. Sessions inside a caller's transaction
 * ({@code Transaction.sessions()}) are never cached: they must see the transaction's own,
 * uncommitted writes.
 *
 * <p>Invalidation: the store calls {@link #invalidate} once the transaction that wrote a session
 * has committed (never after a rollback), for every write path: create, change, expiry, inside a
 * caller's transaction or not.
 *
 * <p>Records ({@link #records}, {@link #invalidateRecord}) follow the same rules: {@code
 * Flowstore.records(tenant)} is decorated, {@code Transaction.records()} never is, and every record
 * write (create, replace, patch, archive, unarchive, delete) is reported after its commit. A cache
 * of sessions only keeps the defaults (records as they are).
 */
public interface SessionCache extends AutoCloseable {
  /** No cache: the store's sessions as they are. */
  SessionCache NONE =
      new SessionCache() {
        @Override
        public Sessions sessions(TenantId tenant, Sessions truth, SessionVersions versions) {
          return truth;
        }

        @Override
        public void invalidate(TenantId tenant, UUID sessionId) {}

        @Override
        public String describe() {
          return "none";
        }

        @Override
        public void close() {}
      };

  /**
   * The tenant's sessions through the cache.
   *
   * @param truth the SQL store's sessions of {@code tenant}, each call its own transaction
   * @param versions the store's version probe for {@code tenant}
   */
  Sessions sessions(TenantId tenant, Sessions truth, SessionVersions versions);

  /**
   * Drops the cached entry of a session whose write has just committed. Never throws: a failure is
   * retried, logged and counted, and reads stay correct anyway.
   */
  void invalidate(TenantId tenant, UUID sessionId);

  /**
   * The tenant's records through the cache; by default the store's records as they are.
   *
   * @param truth the SQL store's records of {@code tenant}, each call its own transaction
   * @param versions the store's record version probes for {@code tenant}
   */
  default Records records(TenantId tenant, Records truth, RecordVersions versions) {
    return truth;
  }

  /**
   * Drops the cached entries of a record whose write has just committed: by id, and by each unique
   * value it held before the write or holds after it. Never throws, as {@link #invalidate}.
   */
  default void invalidateRecord(
      TenantId tenant, String collection, String id, List<UniqueValue> uniqueValues) {}

  /** One line naming the cache and where it is (no credentials). */
  String describe();

  /** The cache's counters (see {@link dev.flowstore.Flowstore#metrics()}). */
  default List<MetricCounter> metrics() {
    return List.of();
  }

  @Override
  void close();
}
