package dev.flowstore;

import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * A value a backend reports as it is now (connections of a pool in use...), exported by the
 * server's {@code GET /metrics}. Like {@link MetricCounter} it is read at scrape time, so core
 * stays free of any metrics library.
 *
 * @param name dotted, lower case, with its unit where it has one (e.g. {@code
 *     flowstore.db.pool.connections}); one name may appear with several tag sets
 * @param description one line for the metric's help text
 * @param tags a small fixed set of labels (e.g. {@code pool}, {@code state}); never ids
 * @param value the current value; cheap and thread-safe
 */
public record MetricGauge(
    String name, String description, Map<String, String> tags, DoubleSupplier value) {
  public MetricGauge {
    MetricCounter.checkName(name);
    Objects.requireNonNull(description, "description");
    tags = Map.copyOf(tags);
    Objects.requireNonNull(value, "value");
  }
}
