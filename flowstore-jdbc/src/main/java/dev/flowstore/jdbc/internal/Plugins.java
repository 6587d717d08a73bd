package dev.flowstore.jdbc.internal;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.MetricCounter;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Providers;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.DeadLetterStore;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueHost;
import dev.flowstore.spi.QueueProvider;
import dev.flowstore.spi.SessionCache;
import dev.flowstore.spi.UniqueValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * What the configuration plugs into the SQL engine from other modules: a queue backend ({@code
 * FLOWSTORE_QUEUE_BACKEND} naming another backend, e.g. redis) and a session cache ({@code
 * FLOWSTORE_CACHE}), found with {@link ServiceLoader} by name, so the engine has no {@code if
 * (redis)} (docs/architecture.md). It owns their lifetime and adds them to the store's readiness,
 * description and metrics.
 */
final class Plugins implements AutoCloseable {
  // why: FLOWSTORE_QUEUE_BACKEND names another backend (redis): queue calls go there, DLQ items and
  // audit entries still come here (null: the SQL queue)
  private final QueueBackend queueBackend;
  // why: FLOWSTORE_CACHE names a cache (redis): it decorates sessions(tenant) and is told of every
  // committed session or record write (SessionCache.NONE: no cache)
  private final SessionCache sessionCache;

  /** Opens the plugins {@code config} names; {@code store} is the SQL store they are plugged in. */
  Plugins(FlowstoreConfig config, Clock clock, Flowstore store, DeadLetterStore deadLetters) {
    this.queueBackend =
        config.queueBackend().equals(config.storeBackend())
            ? null
            : Providers.find(
                    QueueProvider.class,
                    QueueProvider::name,
                    "FLOWSTORE_QUEUE_BACKEND",
                    config.queueBackend())
                .open(new QueueHost(config, clock, store, deadLetters));
    try {
      this.sessionCache =
          config.cache().equals("none")
              ? SessionCache.NONE
              : Providers.find(
                      CacheProvider.class, CacheProvider::name, "FLOWSTORE_CACHE", config.cache())
                  .open(new CacheHost(config, clock));
    } catch (RuntimeException e) {
      if (queueBackend != null) queueBackend.close();
      throw e;
    }
  }

  /** The queue backend outside the database, or null when the queue is the SQL one. */
  QueueBackend queueBackend() {
    return queueBackend;
  }

  /** The session cache ({@link SessionCache#NONE} when there is none). */
  SessionCache sessionCache() {
    return sessionCache;
  }

  /**
   * Tells the session cache, once the write transaction open on this thread has committed (or may
   * have: a stale entry is worse than a needless miss), that the session was written (JdbcSessions
   * calls it with every insert and update).
   */
  void sessionWritten(TenantId tenant, UUID sessionId) {
    if (sessionCache != SessionCache.NONE)
      Transactions.afterCommitOrUnknown(() -> sessionCache.invalidate(tenant, sessionId));
  }

  /**
   * As {@link #sessionWritten}, for a record (JdbcRecords calls it with every create, replace,
   * patch, archive, unarchive and delete, and the unique values the record held before and holds
   * after it).
   */
  void recordWritten(
      TenantId tenant, String collection, String id, List<UniqueValue> uniqueValues) {
    if (sessionCache != SessionCache.NONE)
      Transactions.afterCommitOrUnknown(
          () -> sessionCache.invalidateRecord(tenant, collection, id, uniqueValues));
  }

  void checkReady() {
    if (queueBackend != null) queueBackend.checkReady();
  }

  /** {@code description} (the SQL store's) followed by the plugins'. */
  String describe(String description) {
    String d =
        queueBackend == null ? description : description + ", queue " + queueBackend.describe();
    return sessionCache == SessionCache.NONE ? d : d + ", cache " + sessionCache.describe();
  }

  List<MetricCounter> metrics() {
    List<MetricCounter> all = new ArrayList<>();
    if (queueBackend != null) all.addAll(queueBackend.metrics());
    all.addAll(sessionCache.metrics());
    return List.copyOf(all);
  }

  @Override
  public void close() {
    sessionCache.close();
    if (queueBackend != null) queueBackend.close();
  }
}
