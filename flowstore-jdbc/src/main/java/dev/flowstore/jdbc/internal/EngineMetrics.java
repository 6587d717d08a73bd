package dev.flowstore.jdbc.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.flowstore.MetricCounter;
import dev.flowstore.MetricGauge;
import dev.flowstore.MetricHistogram;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;
import javax.sql.DataSource;

/**
 * What the SQL engine reports to the server's {@code GET /metrics}: its connection pools (gauges
 * per pool and state), the batches of its two group-commit lanes (histograms) and the leases that
 * ran out (a counter). Kept apart from {@link JdbcFlowstore} so the facade only delegates.
 */
final class EngineMetrics {
  // why these bounds: a lane commits 1..256 requests at once; powers of two show the shape
  private static final List<Double> BATCH_BUCKETS =
      List.of(1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0);

  private final LongAdder leaseExpirations = new LongAdder();
  final MetricHistogram appendBatches = batches("append");
  final MetricHistogram ackBatches = batches("ack");
  private final List<MetricGauge> gauges;

  EngineMetrics(DataSource writer, DataSource reader) {
    Set<DataSource> pools = new LinkedHashSet<>(List.of(writer, reader));
    List<MetricGauge> g = new ArrayList<>();
    for (DataSource ds : pools) if (ds instanceof HikariDataSource h) g.addAll(pool(h));
    this.gauges = List.copyOf(g);
  }

  private static MetricHistogram batches(String lane) {
    return new MetricHistogram(
        "flowstore.group.commit.batch.size",
        "Requests committed together in one transaction by a group-commit lane",
        Map.of("lane", lane),
        BATCH_BUCKETS);
  }

  private static List<MetricGauge> pool(HikariDataSource ds) {
    return List.of(
        connections(ds, "active", HikariPoolMXBean::getActiveConnections),
        connections(ds, "idle", HikariPoolMXBean::getIdleConnections),
        connections(ds, "pending", HikariPoolMXBean::getThreadsAwaitingConnection),
        new MetricGauge(
            "flowstore.db.pool.max.connections",
            "The most connections the pool may open",
            Map.of("pool", ds.getPoolName()),
            ds::getMaximumPoolSize));
  }

  private static MetricGauge connections(
      HikariDataSource ds, String state, ToIntFunction<HikariPoolMXBean> read) {
    return new MetricGauge(
        "flowstore.db.pool.connections",
        "Connections of the pool by state: active (lent out), idle, pending (callers waiting for one)",
        Map.of("pool", ds.getPoolName(), "state", state),
        () -> {
          HikariPoolMXBean mx = ds.getHikariPoolMXBean();
          return mx == null ? Double.NaN : read.applyAsInt(mx);
        });
  }

  /** {@code n} leases ended because they ran out (counted once their transaction committed). */
  void leasesExpired(int n) {
    if (n > 0) Transactions.afterCommit(() -> leaseExpirations.add(n));
  }

  List<MetricCounter> counters() {
    return List.of(
        new MetricCounter(
            "flowstore.queue.lease.expirations",
            "Leases that ran out before their job was acked, nacked or released (SQL queue)",
            leaseExpirations::sum));
  }

  List<MetricGauge> gauges() {
    return gauges;
  }

  List<MetricHistogram> histograms() {
    return List.of(appendBatches, ackBatches);
  }
}
