package dev.flowstore;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleConsumer;

/**
 * A distribution a backend observes (the sizes of group-commit batches...), exported by the
 * server's {@code GET /metrics} as a histogram. Unlike counters and gauges it is pushed: the
 * backend calls {@link #record} and every {@link #listen listener} (the server's registry) gets the
 * value; with no listener a value is dropped, at the cost of one list read.
 */
public final class MetricHistogram {
  private final String name;
  private final String description;
  private final Map<String, String> tags;
  private final List<Double> buckets;
  private final List<DoubleConsumer> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param name dotted, lower case, with its unit where it has one (e.g. {@code
   *     flowstore.group.commit.batch.size})
   * @param tags a small fixed set of labels; never ids
   * @param buckets the histogram's upper bounds, ascending
   */
  public MetricHistogram(
      String name, String description, Map<String, String> tags, List<Double> buckets) {
    MetricCounter.checkName(name);
    this.name = name;
    this.description = Objects.requireNonNull(description, "description");
    this.tags = Map.copyOf(tags);
    this.buckets = List.copyOf(buckets);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public List<Double> buckets() {
    return buckets;
  }

  /** One observation, handed to every listener. */
  public void record(double value) {
    for (DoubleConsumer l : listeners) l.accept(value);
  }

  /** Adds a listener; {@code close} the result to remove it. */
  public AutoCloseable listen(DoubleConsumer listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }
}
