package dev.flowstore.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fault injector: on a thread of its own, every {@code minGapMs..maxGapMs} it runs the next fault
 * (cycling through a weighted list), until stopped and at least {@code minFaults} ran. A fault
 * blocks the injector until it is done (a killed server is running again), so faults never overlap.
 */
final class Faults {
  interface Action {
    void run() throws Exception;
  }

  private record Kind(String label, int weight, Action action) {}

  private final List<Kind> kinds = new ArrayList<>();
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  private final List<Long> times = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final long minGapMs;
  private final long maxGapMs;
  private final int minFaults;
  private final int maxFaults;
  private Thread thread;
  private volatile Throwable failure;

  /**
   * @param minFaults faults owed even if the load finishes earlier
   * @param maxFaults no more than this many (a restart costs seconds; it bounds a run's time)
   */
  Faults(long minGapMs, long maxGapMs, int minFaults, int maxFaults) {
    this.minGapMs = minGapMs;
    this.maxGapMs = maxGapMs;
    this.minFaults = minFaults;
    this.maxFaults = maxFaults;
  }

  /** The gaps and counts a scenario uses in each mode. */
  static Faults forMode(ChaosSettings s) {
    return new Faults(
        s.pick(1_500, 2_000, 3_000),
        s.pick(3_000, 4_000, 6_000),
        s.pick(2, 4, 20),
        s.pick(3, 5, 200));
  }

  /** A kind of fault; {@code label} is how the figure counts it, e.g. "SIGKILL of the server". */
  Faults add(String label, int weight, Action action) {
    kinds.add(new Kind(label, weight, action));
    counts.put(label, 0);
    return this;
  }

  void start() {
    thread = Thread.ofPlatform().name("faults").start(this::loop);
  }

  private void loop() {
    // why: a fixed cycle (each kind once, then the rest of the weights) so that even a short run
    // injects every kind of fault
    List<Kind> cycle = new ArrayList<>(kinds);
    for (Kind k : kinds) for (int i = 1; i < k.weight(); i++) cycle.add(k);
    int done = 0;
    while ((!stop.get() || done < minFaults) && done < maxFaults) {
      QueueWorkload.pause(ThreadLocalRandom.current().nextLong(minGapMs, maxGapMs + 1));
      if (stop.get() && done >= minFaults) break;
      Kind k = cycle.get(done % cycle.size());
      try {
        synchronized (times) {
          times.add(System.currentTimeMillis());
        }
        k.action().run();
        synchronized (counts) {
          counts.merge(k.label(), 1, Integer::sum);
        }
        done++;
      } catch (Throwable t) {
        failure = t;
        System.err.println("chaos: fault '" + k.label() + "' failed: " + t);
        return;
      }
    }
  }

  /**
   * Stops after the fault in progress (and after {@code minFaults}); rethrows a fault's failure.
   */
  void stopAndJoin() throws Exception {
    stop.set(true);
    thread.join();
    if (failure != null)
      throw new IllegalStateException("a fault could not be injected (or undone)", failure);
  }

  /** The wall-clock times (ms) at which faults began. */
  List<Long> times() {
    synchronized (times) {
      return List.copyOf(times);
    }
  }

  /** E.g. "12 SIGKILL of the server, 3 PostgreSQL crash restarts". */
  String describe() {
    synchronized (counts) {
      List<String> parts = new ArrayList<>();
      counts.forEach((label, n) -> parts.add(n + " " + label));
      return String.join(", ", parts);
    }
  }
}
