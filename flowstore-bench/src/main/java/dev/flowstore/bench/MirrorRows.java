package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.spi.Mirroring;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Row 11: what the mirror's change capture (docs/mirror.md) costs the primary: appends (1 event per
 * call at 16 writers, 100 events per call at 4 writers) and enqueues (1 job per call at 16 writers)
 * with capture on against the same store with capture off. The ratio is on / off (the issue's
 * budget: at least 0.80). Off and on alternate, twice each, on one store, and each figure is the
 * mean of its two, so drift of a shared machine falls on both.
 */
final class MirrorRows {
  static final int WRITERS = 16;
  static final int BATCH_WRITERS = 4;
  private static final int ROUNDS = 5;

  private final Env env;
  private final Settings s;

  MirrorRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row11(boolean postgres, boolean sqlite, Consumer<Row> out) throws Exception {
    if (postgres) {
      String schema = Env.newName("bench_fs");
      try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, AppendRows.POOL, Map.of()))) {
        measure(fs, "PostgreSQL", out);
      } finally {
        env.dropSchema(schema);
      }
    }
    if (sqlite) {
      Path dir = Env.tempDir("bench-fs-");
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(dir, Map.of()))) {
        measure(fs, "SQLite", out);
      } finally {
        Env.deleteTree(dir);
      }
    }
  }

  private interface Workload {
    double run(Flowstore fs, String tag);
  }

  private void measure(Flowstore fs, String backend, Consumer<Row> out) {
    Mirroring m = Mirroring.find(fs, fs);
    List<String> names = new ArrayList<>();
    List<Workload> loads = new ArrayList<>();
    names.add("append 1 event/call, " + WRITERS + " writers");
    loads.add((f, tag) -> appends(f, WRITERS, 1, tag));
    names.add("append 100 events/call, " + BATCH_WRITERS + " writers");
    loads.add((f, tag) -> appends(f, BATCH_WRITERS, 100, tag));
    names.add("enqueue 1 job/call, " + WRITERS + " writers");
    loads.add((f, tag) -> enqueues(f, WRITERS, tag));
    for (int i = 0; i < loads.size(); i++) {
      double[] offs = new double[ROUNDS];
      double[] ons = new double[ROUNDS];
      double[] ratios = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        // why: who goes first alternates, so a trend of the machine's load favours neither
        boolean onFirst = r % 2 == 1;
        for (int k = 0; k < 2; k++) {
          boolean on = (k == 0) == onFirst;
          m.capture(fs, on);
          double v = loads.get(i).run(fs, (on ? "on" : "off") + i + "r" + r);
          if (on) ons[r] = v;
          else offs[r] = v;
        }
        ratios[r] = ons[r] / offs[r];
      }
      m.capture(fs, false);
      String unit = i == 2 ? "jobs/s" : "ev/s";
      out.accept(
          new Row(
              "11",
              names.get(i) + ", " + backend + ": mirror capture on vs off",
              Row.rate(Measure.median(ons), unit),
              Row.rate(Measure.median(offs), unit),
              Row.ratio(Measure.median(ratios))));
    }
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
