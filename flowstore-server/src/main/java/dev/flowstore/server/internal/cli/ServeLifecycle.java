package dev.flowstore.server.internal.cli;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When {@code serve} stops. In production: on SIGTERM/SIGINT, through a JVM shutdown hook that
 * waits for the server and store to close before the JVM halts. In tests: when {@link #stop()} is
 * called.
 */
public final class ServeLifecycle {
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile URI uri;

  /** A lifecycle stopped by the JVM's shutdown (SIGTERM, SIGINT). */
  public static ServeLifecycle onJvmShutdown() {
    ServeLifecycle lifecycle = new ServeLifecycle();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  lifecycle.stop();
                  lifecycle.awaitClosed();
                },
                "flowstore-shutdown"));
    return lifecycle;
  }

  /** Asks {@code serve} to stop. */
  public void stop() {
    stop.countDown();
  }

  /** The URI the server listens on, once started; null before. */
  public URI uri() {
    return uri;
  }

  /** Whether {@code serve} has closed the server and the store. */
  public boolean isClosed() {
    return closed.getCount() == 0;
  }

  void started(URI uri) {
    this.uri = uri;
  }

  void awaitStop() throws InterruptedException {
    stop.await();
  }

  void closed() {
    closed.countDown();
  }

  private void awaitClosed() {
    try {
      // why: the JVM halts when the hooks return; give serve time to close connections and the pool
      closed.await(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
