package dev.flowstore.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hand-written harness: {@code threads} platform threads call an operation in a loop; after a
 * warm-up the main thread counts completed operations over {@code windows} equal windows and
 * reports the median rate, plus p50/p99 of the single calls timed during the windows.
 */
final class Measure {
  private Measure() {}

  /** One call of the measured operation; returns how many units (events, jobs) it did. */
  interface Op {
    int run(int worker) throws Exception;
  }

  /** Median units/s over the windows and latency percentiles of the calls, in milliseconds. */
  record Result(double perSecond, double p50Ms, double p99Ms, long calls) {}

  static Result throughput(Settings s, int threads, Op op) {
    LongAdder units = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[][] latencies = new long[threads][];
    int[] counts = new int[threads];
    var recording = new java.util.concurrent.atomic.AtomicBoolean();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int id = w;
      latencies[id] = new long[1024];
      Thread t =
          Thread.ofPlatform()
              .name("bench-" + id)
              .start(
                  () -> {
                    try {
                      while (!stop.get()) {
                        long t0 = System.nanoTime();
                        int n = op.run(id);
                        long t1 = System.nanoTime();
                        units.add(n);
                        if (recording.get() && n > 0) {
                          if (counts[id] == latencies[id].length)
                            latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                          latencies[id][counts[id]++] = t1 - t0;
                        }
                      }
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                      stop.set(true);
                    }
                  });
      workers.add(t);
    }
    double[] rates = new double[s.windows()];
    try {
      sleep(s.warmup().toMillis());
      recording.set(true);
      for (int i = 0; i < s.windows() && failure.get() == null; i++) {
        long c0 = units.sum();
        long t0 = System.nanoTime();
        sleep(s.window().toMillis());
        long c1 = units.sum();
        long t1 = System.nanoTime();
        rates[i] = (c1 - c0) * 1e9 / (t1 - t0);
      }
    } finally {
      stop.set(true);
      for (Thread t : workers) join(t);
    }
    if (failure.get() != null)
      throw new IllegalStateException("benchmark op failed", failure.get());
    long[] all = merge(latencies, counts);
    return new Result(median(rates), percentile(all, 50), percentile(all, 99), all.length);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int n = c.length;
    return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  }

  static long[] merge(long[][] parts, int[] counts) {
    int total = 0;
    for (int c : counts) total += c;
    long[] all = new long[total];
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    return all;
  }

  /** The p-th percentile of sorted nanosecond values, in milliseconds (NaN when empty). */
  static double percentile(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) return Double.NaN;
    int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs {@code task} on {@code threads} platform threads and waits for all of them. */
  static void parallel(int threads, Op task) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> ts = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int id = w;
      ts.add(
          Thread.ofPlatform()
              .name("bench-par-" + id)
              .start(
                  () -> {
                    try {
                      task.run(id);
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                    }
                  }));
    }
    for (Thread t : ts) join(t);
    if (failure.get() != null)
      throw new IllegalStateException("benchmark task failed", failure.get());
  }
}
