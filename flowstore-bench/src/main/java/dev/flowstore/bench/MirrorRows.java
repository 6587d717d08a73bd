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
        measure(fs, to, "PostgreSQL", false, out);
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
        measure(fs, to, "PostgreSQL + Redis queue", true, out);
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
        measure(fs, to, "SQLite", false, out);
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

  private void measure(
      Flowstore fs, Flowstore to, String backend, boolean enqueuesOnly, Consumer<Row> out) {
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
    for (int i = 0; i < loads.size(); i++) {
      double[] offs = new double[rounds];
      double[] ons = new double[rounds];
      double[] mirrored = new double[rounds];
      double[] ratios = new double[rounds];
      double[] mirroredRatios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        // why: the order rotates, so a trend of the machine's load favours none of the three
        for (int k = 0; k < 3; k++) {
          int mode = (k + r) % 3;
          String tag = "m" + mode + "l" + i + "r" + r;
          if (mode == 0) {
            m.capture(fs, false);
            offs[r] = loads.get(i).run(fs, tag);
          } else if (mode == 1) {
            m.capture(fs, true);
            ons[r] = loads.get(i).run(fs, tag);
          } else {
            m.capture(fs, true);
            // why: a capture-only round before this one left its whole log behind; drained
            // untimed, so the mirror measured follows this round's writes, not two rounds' worth
            while (link.step().entries() > 0) {}
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
          }
        }
        ratios[r] = ons[r] / offs[r];
        mirroredRatios[r] = mirrored[r] / offs[r];
      }
      String unit = names.get(i).startsWith("enqueue") ? "jobs/s" : "ev/s";
      out.accept(
          new Row(
              "12",
              names.get(i) + ", " + backend + ": mirror capture on vs off",
              Row.rate(Measure.median(ons), unit),
              Row.rate(Measure.median(offs), unit),
              Row.ratio(Measure.median(ratios))));
      out.accept(
          new Row(
              "12",
              names.get(i)
                  + ", "
                  + backend
                  + ": capture on + mirror running into "
                  + to.describe().replaceAll(" .*", "")
                  + " on the same machine vs off",
              Row.rate(Measure.median(mirrored), unit),
              Row.rate(Measure.median(offs), unit),
              Row.ratio(Measure.median(mirroredRatios))));
    }
    m.capture(fs, false);
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
