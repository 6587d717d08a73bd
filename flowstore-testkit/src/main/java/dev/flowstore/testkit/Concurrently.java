package dev.flowstore.testkit;

import dev.flowstore.FlowstoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs the same action on several threads released at once by a latch, for race tests. */
final class Concurrently {
  private Concurrently() {}

  /** The outcome of one racer: its result, or the error code it failed with. */
  record Outcome<T>(T value, FlowstoreException error) {
    boolean ok() {
      return error == null;
    }

    String code() {
      return error == null ? "OK" : error.code().name();
    }
  }

  /** Starts {@code threads} racers together; racer i runs {@code action.apply(i)}. */
  static <T> List<Outcome<T>> race(int threads, IntFunction<T> action) throws Exception {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome<T>>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        Callable<Outcome<T>> racer =
            () -> {
              ready.countDown();
              go.await();
              try {
                return new Outcome<>(action.apply(n), null);
              } catch (FlowstoreException e) {
                return new Outcome<>(null, e);
              }
            };
        futures.add(pool.submit(racer));
      }
      if (!ready.await(30, TimeUnit.SECONDS))
        throw new IllegalStateException("racers did not start");
      go.countDown();
      List<Outcome<T>> out = new ArrayList<>();
      for (Future<Outcome<T>> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
