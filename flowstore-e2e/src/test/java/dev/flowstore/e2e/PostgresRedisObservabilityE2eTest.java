package dev.flowstore.e2e;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The production deployment (PostgreSQL, the Redis queue, the Redis session cache): its metrics,
 * traces and logs. The SQL queue's lease expirations are the SQLite deployment's (the same code on
 * PostgreSQL); here the Redis queue's and the cache's metrics are checked.
 */
class PostgresRedisObservabilityE2eTest extends ObservabilityE2eContract {
  @Override
  Map<String, String> deployment(Path dir) {
    Map<String, String> env = new HashMap<>(PostgresRedisApiE2eTest.deployment("obs"));
    env.put("FLOWSTORE_CACHE", "redis");
    return env;
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
