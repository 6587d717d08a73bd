package dev.flowstore.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Row 9 under load: a child JVM serves ({@link StartupProbe} in a {@code -serve} mode: the embedded
 * server on SQLite, or a bare Javalin whose append route parses the JSON body with Jackson), this
 * JVM drives {@link #CLIENTS} clients appending 1 event per call for {@link Settings#serverLoad()},
 * then reads the child's peak resident set (VmHWM) from /proc.
 */
final class ServerLoadRows {
  static final int CLIENTS = 64;

  /** The same heap cap for both children, so neither may grow its heap further than the other. */
  static final String HEAP = "-Xmx512m";

  private final Settings s;

  ServerLoadRows(Settings s) {
    this.s = s;
  }

  /** Peak RSS, and the requests/s sent over the whole load (warm-up included). */
  record Loaded(double peakRssMiB, double perSecond) {}

  void row9(Consumer<Row> out) throws Exception {
    Loaded fs = load("flowstore-serve", 0);
    // the same request load: the baseline's clients are paced to the server's average rate
    Loaded base = load("javalin-serve", fs.perSecond());
    System.err.printf(
        Locale.ROOT,
        "bench: row 9 under load: server %,.0f req/s, peak RSS %.0f MiB; bare Javalin paced to the"
            + " same rate %,.0f req/s, peak RSS %.0f MiB%n",
        fs.perSecond(),
        fs.peakRssMiB(),
        base.perSecond(),
        base.peakRssMiB());
    out.accept(
        new Row(
            "9",
            String.format(
                Locale.ROOT,
                "peak RSS under load (%d clients append 1 event/call, %d s, %s, SQLite; %,.0f vs"
                    + " %,.0f req/s, the baseline paced to the server's rate): server vs bare Javalin",
                CLIENTS,
                s.serverLoad().toSeconds(),
                HEAP,
                fs.perSecond(),
                base.perSecond()),
            String.format(Locale.ROOT, "%.0f MiB", fs.peakRssMiB()),
            String.format(Locale.ROOT, "%.0f MiB", base.peakRssMiB()),
            Row.ratio(base.peakRssMiB() / fs.peakRssMiB())));
  }

  /**
   * Starts the child, loads it, reads its VmHWM.
   *
   * @param rate requests/s the clients together may send at most; 0 = as fast as answered
   */
  private Loaded load(String mode, double rate) throws Exception {
    Process child = Bench.startProbe(mode, HEAP);
    BlockingQueue<String> port = new ArrayBlockingQueue<>(1);
    StringBuilder output = new StringBuilder();
    Thread drain =
        Thread.ofPlatform()
            .daemon()
            .name("bench-child-output")
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      synchronized (output) {
                        output.append(line).append('\n');
                      }
                      if (line.startsWith("port=")) port.offer(line.substring(5).trim());
                    }
                  } catch (java.io.IOException ignored) {
                    // the child went away; its output so far is in the failure message
                  }
                });
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      String p = port.poll(60, TimeUnit.SECONDS);
      if (p == null) {
        synchronized (output) {
          throw new IllegalStateException(mode + " child did not start:\n" + output);
        }
      }
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(executor)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI base = URI.create("http://127.0.0.1:" + p);
      String body =
          "{\"events\":[{\"type\":\"order.placed\",\"payload\":" + Env.PAYLOAD_TEXT + "}]}";
      AtomicLong sent = new AtomicLong();
      long start = System.nanoTime();
      Measure.throughput(
          s.lasting(s.serverLoad()),
          CLIENTS,
          w -> {
            long i = sent.getAndIncrement();
            if (rate > 0) {
              long due = start + (long) (i * 1e9 / rate);
              for (long left; (left = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
            }
            HttpRows.post(http, base.resolve("/v1/streams/mem-" + w + "/events"), body, 201);
            return 1;
          });
      double perSecond = sent.get() * 1e9 / (System.nanoTime() - start);
      long hwmKb = StartupProbe.peakRssKb(Path.of("/proc", Long.toString(child.pid())));
      return new Loaded(hwmKb / 1024.0, perSecond);
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly().waitFor();
      drain.join(5_000);
    }
  }
}
