package dev.flowstore.spi;

/**
 * A cache in front of the SQL store, found with {@link java.util.ServiceLoader} by the name in
 * {@code FLOWSTORE_CACHE} (e.g. {@code redis}). The SQL store opens it, hands it its sessions and
 * records to decorate ({@link SessionCache#sessions}, {@link SessionCache#records}) and tells it,
 * after each commit, which sessions and records were written ({@link SessionCache#invalidate},
 * {@link SessionCache#invalidateRecord}). The SQL store stays the truth: a cache must never fail or
 * roll back a write, and must never serve a session or record older than the last committed one.
 */
public interface CacheProvider {
  /** The value of {@code FLOWSTORE_CACHE} that selects this cache. */
  String name();

  /**
   * Opens the cache. Should not fail because the cache's server is unreachable now (a cache that is
   * down only costs speed): it connects when it can.
   *
   * @throws dev.flowstore.FlowstoreException {@code CONFIGURATION} for bad settings
   */
  SessionCache open(CacheHost host);
}
