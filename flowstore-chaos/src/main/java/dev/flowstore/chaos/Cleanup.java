package dev.flowstore.chaos;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a run started (servers, private databases, consumer processes), closed by a shutdown hook if
 * the harness is interrupted (Ctrl-C, SIGTERM): child processes must not outlive it. Each
 * resource's close is idempotent, so the normal close and the hook never conflict.
 */
final class Cleanup {
  private static final Deque<AutoCloseable> OPEN = new ArrayDeque<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  while (true) {
                    AutoCloseable c;
                    synchronized (OPEN) {
                      c = OPEN.pollFirst();
                    }
                    if (c == null) return;
                    try {
                      c.close();
                    } catch (Exception e) {
                      System.err.println("chaos: cleanup of " + c + " failed: " + e);
                    }
                  }
                },
                "chaos-cleanup"));
  }

  private Cleanup() {}

  /** Registers {@code c}; the most recent is closed first. */
  static <T extends AutoCloseable> T register(T c) {
    synchronized (OPEN) {
      OPEN.addFirst(c);
    }
    return c;
  }
}
