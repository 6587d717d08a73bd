package dev.flowstore.e2e;

import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The production deployment (PostgreSQL, the Redis queue, the Redis session cache): its metrics,
 * traces and logs. The SQL queue's lease expirations are the SQLite deployment's (the same code on
 * PostgreSQL); here the Redis queue's and the cache's metrics are checked.
 */
class PostgresRedisObservabilityE2eTest extends ObservabilityE2eContract {
  @Override
  Map<String, String> deployment(Path dir) {
    String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    return Map.of(
        "FLOWSTORE_STORE_BACKEND",
        "postgres",
        "POSTGRES_DSN",
        TestBackends.postgresDsn(),
        "POSTGRES_SCHEMA",
        "obs_" + run.toLowerCase(Locale.ROOT),
        "POSTGRES_POOL_MAX",
        "4",
        "FLOWSTORE_QUEUE_BACKEND",
        "redis",
        "FLOWSTORE_CACHE",
        "redis",
        "REDIS_DSN",
        TestBackends.redisDsn(),
        "FLOWSTORE_ENV",
        "obs-" + run);
  }

  @Override
  void dropDeployment(Map<String, String> env) {
    PostgresRedisApiE2eTest.drop(env);
  }

  @Override
  Map<String, Integer> pools() {
    return Map.of("flowstore-postgres", 4);
  }

  @Override
  boolean sqlQueue() {
    return false;
  }

  @Override
  boolean cache() {
    return true;
  }

  @Override
  Map<String, String> exportedElsewhere() {
    return Map.of(
        "flowstore_queue_lease_expirations_total",
        "the SQL queue (FLOWSTORE_QUEUE_BACKEND sqlite or postgres)");
  }
}
