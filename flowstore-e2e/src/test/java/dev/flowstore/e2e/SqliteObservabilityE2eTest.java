package dev.flowstore.e2e;

import java.nio.file.Path;
import java.util.Map;

/** The default deployment (SQLite, the SQL queue, no cache): its metrics, traces and logs. */
class SqliteObservabilityE2eTest extends ObservabilityE2eContract {
  @Override
  Map<String, String> deployment(Path dir) {
    return Map.of(
        "FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.resolve("data").toString());
  }

  @Override
  Map<String, Integer> pools() {
    return Map.of("flowstore-sqlite-writer", 1, "flowstore-sqlite-reader", 4);
  }

  @Override
  boolean sqlQueue() {
    return true;
  }

  @Override
  boolean cache() {
    return false;
  }

  @Override
  Map<String, String> exportedElsewhere() {
    return Map.of(
        "flowstore_cache_hits_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_misses_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_stale_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_read_failures_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_write_failures_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_invalidation_failures_total", "FLOWSTORE_CACHE=redis",
        "flowstore_cache_records_invalidation_failures_total", "FLOWSTORE_CACHE=redis",
        "flowstore_redis_queue_data_loss_detections_total", "FLOWSTORE_QUEUE_BACKEND=redis");
  }
}
