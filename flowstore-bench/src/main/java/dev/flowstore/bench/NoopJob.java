package dev.flowstore.bench;

import java.util.concurrent.atomic.AtomicLong;

/** The no-op job JobRunr runs (it needs a public class with a public method to call). */
public final class NoopJob {
  static final AtomicLong RUNS = new AtomicLong();

  private NoopJob() {}

  public static void run(long id) {
    RUNS.incrementAndGet();
  }
}
