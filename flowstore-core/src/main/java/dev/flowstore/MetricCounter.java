package dev.flowstore;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A monotonic count kept by a backend (cache failures, Redis data-loss detections...), exported by
 * the server's {@code GET /metrics}. Core stays free of any metrics library: the server binds each
 * one to its registry and reads {@link #count()} at scrape time.
 *
 * @param name dotted, lower case, without unit or {@code _total} (e.g. {@code
 *     flowstore.cache.invalidation.failures}); each name appears once per store
 * @param description one line for the metric's help text
 * @param count the current value; cheap and thread-safe
 */
public record MetricCounter(String name, String description, LongSupplier count) {
  public MetricCounter {
    checkName(name);
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(count, "count");
  }

  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("^[a-z][a-z0-9]*(\\.[a-z0-9]+)*$"))
      throw new IllegalArgumentException("metric name must be dotted lower case, got " + name);
  }
}
