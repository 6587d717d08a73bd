package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.MirrorLoop;
import dev.flowstore.spi.Mirroring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Row 12: what the mirror's change capture (docs/mirror.md) costs the primary: appends (1 event per
 * call at 16 writers, 100 events per call at 4 writers) and enqueues (1 job per call at 16 writers)
 * with capture on against the same store with capture off; and enqueues on the Redis queue (its
 * scripts' change log) beside a PostgreSQL store. The ratio is on / off (the budget: at
 * least 0.80). Off, on, and on with the mirror running take turns on one store in an order that
 * rotates, for as many rounds as the run has windows (3 quick, 5 full); each figure is the median,
 * so drift of a shared machine falls on all three.
 */
final class MirrorRows {
  static final int WRITERS = 16;
  static final int BATCH_WRITERS = 4;
  static final long PACED_SECONDS = 20;

  private final Env env;
  private final Settings s;

  MirrorRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row12(boolean postgres, boolean sqlite, Consumer<Row> out) throws Exception {
    if (postgres) {
      // the rollback-readiness direction: a PostgreSQL primary mirrored into SQLite
      String schema = Env.newName("bench_fs");
      Path secondary = Env.tempDir("bench-mirror-");
      try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, AppendRows.POOL, Map.of()));
          Flowstore to = Flowstore.open(Env.flowstoreSqlite(secondary, Map.of()))) {
        measure(fs, to, "PostgreSQL", false, null, out);
      } finally {
        env.dropSchema(schema);
        Env.deleteTree(secondary);
      }
      // the same with the queue on Redis: its scripts log the jobs, the mirror carries them
      String redisSchema = Env.newName("bench_fs");
      Path redisSecondary = Env.tempDir("bench-mirror-");
      env.flushBenchRedisDb();
      try (Flowstore fs =
              Flowstore.open(
                  env.flowstorePg(
                      redisSchema,
                      AppendRows.POOL,
                      Map.of(
                          "FLOWSTORE_QUEUE_BACKEND",
                          "redis",
                          "REDIS_DSN",
                          env.redisDsn(Env.REDIS_DB))));
          Flowstore to = Flowstore.open(Env.flowstoreSqlite(redisSecondary, Map.of()))) {
        // the mirror as an operator runs it: flowstore mirror run, a process of its own
        List<String> mirrorRun =
            List.of(
                "--from",
                env.postgresDsn
                    + (env.postgresDsn.contains("?") ? "&" : "?")
                    + "schema="
                    + redisSchema,
                "--from-queue",
                env.redisDsn(Env.REDIS_DB),
                "--to",
                "sqlite:" + redisSecondary);
        measure(fs, to, "PostgreSQL + Redis queue", true, mirrorRun, out);
      } finally {
        env.dropSchema(redisSchema);
        Env.deleteTree(redisSecondary);
        env.flushBenchRedisDb();
      }
    }
    if (sqlite) {
      // the forward window: a SQLite primary mirrored into PostgreSQL (or, without it, SQLite)
      Path dir = Env.tempDir("bench-fs-");
      String schema = Env.newName("bench_mirror");
      Path secondaryDir = Env.tempDir("bench-mirror-");
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(dir, Map.of()));
          Flowstore to =
              Flowstore.open(
                  postgres
                      ? env.flowstorePg(schema, 4, Map.of())
                      : Env.flowstoreSqlite(secondaryDir, Map.of()))) {
        measure(fs, to, "SQLite", false, null, out);
      } finally {
        Env.deleteTree(dir);
        Env.deleteTree(secondaryDir);
        if (postgres) env.dropSchema(schema);
      }
    }
  }

  private interface Workload {
    double run(Flowstore fs, String tag);
  }

  /**
   * @param mirrorRun with it, a fourth mode: {@code flowstore mirror run} with these arguments, in
   *     a process and session of its own, at its default CPU priority ({@code --nice 19})
   */
  private void measure(
      Flowstore fs,
      Flowstore to,
      String backend,
      boolean enqueuesOnly,
      List<String> mirrorRun,
      Consumer<Row> out) {
    Mirroring m = Mirroring.find(fs, to);
    // the window's start: capture on, the copy; the mirror then runs only while measured
    m.capture(fs, true);
    BackendSwitch.find(fs, to)
        .copy(fs, to, new BackendSwitch.CopyOptions(false, 1000), p -> {}, Clock.systemUTC());
    Mirroring.Link link = m.link(fs, to, 1000);
    List<String> names = new ArrayList<>();
    List<Workload> loads = new ArrayList<>();
    if (!enqueuesOnly) {
      names.add("append 1 event/call, " + WRITERS + " writers");
      loads.add((f, tag) -> appends(f, WRITERS, 1, tag));
      names.add("append 100 events/call, " + BATCH_WRITERS + " writers");
      loads.add((f, tag) -> appends(f, BATCH_WRITERS, 100, tag));
    }
    names.add("enqueue 1 job/call, " + WRITERS + " writers");
    loads.add((f, tag) -> enqueues(f, WRITERS, tag));
    // why the run's window count: 3 rounds at the quick size (a median of 3), 5 at the full size
    int rounds = s.windows();
    int modes = mirrorRun == null ? 3 : 4;
    for (int i = 0; i < loads.size(); i++) {
      double[] offs = new double[rounds];
      double[] ons = new double[rounds];
      double[] mirrored = new double[rounds];
      double[] niced = new double[rounds];
      double[] ratios = new double[rounds];
      double[] mirroredRatios = new double[rounds];
      double[] nicedRatios = new double[rounds];
      double[] behind = new double[rounds];
      double[] catchUp = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        // why: the order rotates, so a trend of the machine's load favours none of the modes
        for (int k = 0; k < modes; k++) {
          int mode = (k + r) % modes;
          String tag = "m" + mode + "l" + i + "r" + r;
          if (mode == 0) {
            m.capture(fs, false);
            offs[r] = loads.get(i).run(fs, tag);
            continue;
          }
          m.capture(fs, true);
          if (mode == 1) {
            ons[r] = loads.get(i).run(fs, tag);
            continue;
          }
          // why: a capture-only round before this one left its whole log behind; drained
          // untimed, so the mirror measured follows this round's writes, not two rounds' worth
          while (link.step().entries() > 0) {}
          if (mode == 2) {
            MirrorLoop loop =
                new MirrorLoop(
                    fs, to, link, Duration.ofMillis(200), null, Clock.systemUTC(), line -> {});
            Thread t = Thread.ofPlatform().name("bench-mirror").start(loop);
            try {
              mirrored[r] = loads.get(i).run(fs, tag);
            } finally {
              loop.stop();
              Measure.join(t);
            }
          } else {
            double[] lag = new double[2];
            Workload w = loads.get(i);
            niced[r] = mirrorProcess(mirrorRun, () -> w.run(fs, tag), m, fs, lag);
            behind[r] = lag[0];
            catchUp[r] = lag[1];
          }
        }
        ratios[r] = ons[r] / offs[r];
        mirroredRatios[r] = mirrored[r] / offs[r];
        nicedRatios[r] = niced[r] / offs[r];
      }
      String unit = names.get(i).startsWith("enqueue") ? "jobs/s" : "ev/s";
      String secondary = to.describe().replaceAll(" .*", "");
      String name = names.get(i) + ", " + backend;
      out.accept(versus(name + ": mirror capture on vs off", ons, offs, ratios, unit));
      out.accept(
          versus(
              name
                  + ": capture on + mirror running into "
                  + secondary
                  + " on the same machine"
                  + (mirrorRun == null ? "" : ", same JVM, same CPU priority")
                  + " vs off",
              mirrored,
              offs,
              mirroredRatios,
              unit));
      if (mirrorRun == null) continue;
      out.accept(
          versus(
              name
                  + ": capture on + flowstore mirror run into "
                  + secondary
                  + " on the same machine, own process and session, default --nice 19 vs off",
              niced,
              offs,
              nicedRatios,
              unit));
      out.accept(
          new Row(
              "12",
              names.get(i)
                  + ", "
                  + backend
                  + ": that mirror's backlog when the load stopped, and the time it took to carry it",
              String.format(Locale.ROOT, "%,.0f entries", Measure.median(behind)),
              String.format(Locale.ROOT, "%.1f s", Measure.median(catchUp)),
              "-"));
    }
    if (mirrorRun != null) paced(fs, m, mirrorRun, names, loads, out);
    m.capture(fs, false);
  }

  /** A row of medians: {@code with} against {@code offs}, and the median of the rounds' ratios. */
  private static Row versus(
      String scenario, double[] with, double[] offs, double[] ratios, String unit) {
    return new Row(
        "12",
        scenario,
        Row.rate(Measure.median(with), unit),
        Row.rate(Measure.median(offs), unit),
        Row.ratio(Measure.median(ratios)));
  }

  /**
   * Runs {@code load} while {@code flowstore mirror run} (this JVM's class path, as the launcher
   * runs it) mirrors in a process that leads its own session (setsid), as a service would. Then
   * waits until the mirror has carried everything: {@code lag} gets {entries pending when the load
   * stopped, seconds until none was}.
   */
  private double mirrorProcess(
      List<String> args,
      java.util.function.DoubleSupplier load,
      Mirroring m,
      Flowstore fs,
      double[] lag) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dlogback.configurationFile=flowstore-bench-logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.flowstore.server.FlowstoreCli",
                "mirror",
                "run",
                "--status-every",
                "0"));
    cmd.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("bench: could not start " + cmd, e);
    }
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    StringBuilder said = new StringBuilder();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (var r =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                      synchronized (said) {
                        said.append(line).append('\n');
                      }
                      if (line.startsWith("flowstore: mirroring")) ready.countDown();
                    }
                  } catch (java.io.IOException e) {
                    // the process ended
                  }
                  ready.countDown();
                });
    try {
      if (!ready.await(60, java.util.concurrent.TimeUnit.SECONDS) || !p.isAlive())
        throw new IllegalStateException("bench: flowstore mirror run did not start:\n" + said);
      double rate = load.getAsDouble();
      long start = System.nanoTime();
      lag[0] = m.state(fs).pending();
      while (m.state(fs).pending() > 0) {
        if (!p.isAlive()) throw new IllegalStateException("bench: the mirror ended:\n" + said);
        if (System.nanoTime() - start > 600_000_000_000L)
          throw new IllegalStateException("bench: the mirror did not catch up in 10 minutes");
        Measure.sleep(50);
      }
      lag[1] = (System.nanoTime() - start) / 1e9;
      return rate;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      p.destroy();
      try {
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Measure.join(reader);
    }
  }

  /**
   * Enqueues paced at 1/8 and at 1/4 of the rate the primary reached with capture off, each with
   * {@code flowstore mirror run} (as shipped, --nice 19) running; the mirror's lag (the age of its
   * oldest pending entry) sampled every 100 ms. The "within seconds" is this figure: which
   * load the machine carries with its mirror.
   */
  private void paced(
      Flowstore fs,
      Mirroring m,
      List<String> mirrorRun,
      List<String> names,
      List<Workload> loads,
      Consumer<Row> out) {
    m.capture(fs, false);
    double full = loads.get(0).run(fs, "paced-off");
    m.capture(fs, true);
    for (int part : new int[] {8, 4}) paced(fs, m, mirrorRun, names.get(0), full / part, part, out);
  }

  private void paced(
      Flowstore fs,
      Mirroring m,
      List<String> mirrorRun,
      String name,
      double target,
      int part,
      Consumer<Row> out) {
    Queue q = fs.queue(AppendRows.TENANT);
    ObjectNode payload = Env.payload();
    long[] worst = new long[4];
    double[] lag = new double[2];
    double achieved =
        mirrorProcess(
            mirrorRun,
            () -> {
              // why 20 s: the mirror's JVM starts cold with the load; its lag is read over the
              // second half, once it runs compiled, as a long-running mirror does
              long seconds = PACED_SECONDS;
              long start = System.nanoTime();
              long half = start + seconds * 500_000_000L;
              long end = start + seconds * 1_000_000_000L;
              long interval = (long) (1e9 * WRITERS / target);
              java.util.concurrent.atomic.LongAdder done =
                  new java.util.concurrent.atomic.LongAdder();
              Thread sampler =
                  Thread.ofPlatform()
                      .daemon()
                      .start(
                          () -> {
                            while (System.nanoTime() < end) {
                              Mirroring.CaptureState st = m.state(fs);
                              long age = st.oldest().map(d -> d.toMillis()).orElse(0L);
                              int k = System.nanoTime() < half ? 0 : 2;
                              worst[k] = Math.max(worst[k], st.pending());
                              worst[k + 1] = Math.max(worst[k + 1], age);
                              Measure.sleep(100);
                            }
                          });
              Measure.parallel(
                  WRITERS,
                  w -> {
                    long next = start + w * interval / WRITERS;
                    while (next < end) {
                      long wait = next - System.nanoTime();
                      if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                      q.enqueue(NewJob.of("mirror-paced" + part, "bench", payload));
                      done.increment();
                      next += interval;
                    }
                    return 0;
                  });
              Measure.join(sampler);
              return done.sum() / ((System.nanoTime() - start) / 1e9);
            },
            m,
            fs,
            lag);
    String paced = name + ", PostgreSQL + Redis queue, paced at 1/" + part;
    out.accept(
        new Row(
            "12",
            paced
                + " of the rate reached with capture off"
                + " ("
                + Row.rate(target, "jobs/s")
                + "), flowstore mirror run --nice 19 running: rate reached vs asked",
            Row.rate(achieved, "jobs/s"),
            Row.rate(target, "jobs/s"),
            Row.ratio(achieved / target)));
    out.accept(
        new Row(
            "12",
            paced
                + " for "
                + PACED_SECONDS
                + " s: the mirror's largest lag in the second half (age of the oldest pending entry;"
                + " entries pending); first half, from a cold start: "
                + String.format(Locale.ROOT, "%.1f s, %,d entries", worst[1] / 1000.0, worst[0]),
            String.format(Locale.ROOT, "%.1f s", worst[3] / 1000.0),
            String.format(Locale.ROOT, "%,d entries", worst[2]),
            "-"));
  }

  private double appends(Flowstore fs, int writers, int perCall, String tag) {
    ObjectNode payload = Env.payload();
    List<EventData> events = new ArrayList<>();
    for (int i = 0; i < perCall; i++) events.add(EventData.of("order.placed", payload));
    return Measure.throughput(
            s,
            writers,
            w -> {
              fs.events(AppendRows.TENANT)
                  .append("order-" + tag + "w" + w, ExpectedVersion.ANY, events);
              return perCall;
            })
        .perSecond();
  }

  private double enqueues(Flowstore fs, int writers, String tag) {
    Queue q = fs.queue(AppendRows.TENANT);
    ObjectNode payload = Env.payload();
    return Measure.throughput(
            s,
            writers,
            w -> {
              q.enqueue(NewJob.of("mirror-" + tag, "bench", payload));
              return 1;
            })
        .perSecond();
  }
}
