package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AppendResult;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewSession;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 5, ambiguous commit: PostgreSQL's connection is cut while COMMIT is in flight ({@link
 * TcpProxy} between the store and the server). Concurrent appends (expected version any, generated
 * event ids: the group-commit path), acks of leased jobs (group-committed too) and session changes
 * run through the proxy, which cuts one commit in {@value #CUT_ONE_IN} before it reaches the
 * server, right after it was sent, or after the server answered, and now and then cuts every link.
 *
 * <p>The checker reads the truth around the proxy afterwards. Per kind of write: no write stored
 * twice, no write that was answered with success missing, and no write that committed answered with
 * an error — unless that error says explicitly that its outcome is unknown.
 */
final class S5AmbiguousCommit implements Scenario {
  static final int CUT_ONE_IN = 12;
  private static final TenantId TENANT = TenantId.of("s5");
  private static final String QUEUE = "s5-jobs";
  private static volatile long deadline;

  private static boolean inTime() {
    return System.nanoTime() < deadline;
  }

  @Override
  public int number() {
    return 5;
  }

  @Override
  public String name() {
    return "ambiguous commit";
  }

  /** What a caller was told about one write. */
  record Outcome(String op, UUID subject, Throwable error) {}

  /** Outcomes of one kind of write, and what the checker found. */
  static final class Tally {
    final String kind;
    final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    long duplicated, lost, committedButFailed, committedUnknown, failedNotCommitted;
    final Map<String, List<String>> examples = new java.util.LinkedHashMap<>();

    Tally(String kind) {
      this.kind = kind;
    }

    /** Keeps the first two examples of each kind of failure for the report. */
    void example(String what, String detail) {
      List<String> l = examples.computeIfAbsent(what, k -> new ArrayList<>());
      if (l.size() < 2) l.add(detail);
    }

    String examples() {
      List<String> out = new ArrayList<>();
      examples.forEach((what, l) -> out.add(what + ": " + String.join(" / ", l)));
      return String.join("; ", out);
    }

    long ok() {
      return outcomes.stream().filter(o -> o.error() == null).count();
    }

    boolean holds() {
      return duplicated == 0 && lost == 0 && committedButFailed == 0;
    }
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    int appends = settings.pick(600, 3_000, 60_000);
    int jobs = settings.pick(200, 1_000, 15_000);
    int changes = settings.pick(200, 1_000, 15_000);
    // why: on a loaded 2-core machine each cut costs a reconnect; the writers stop at the time
    // budget rather than overrunning ./chaos --quick (the rows say how many writes ran)
    deadline = System.nanoTime() + settings.pick(40, 90, 1800) * 1_000_000_000L;
    String schema = ChaosStores.schema("chaos_s5_");
    String[] hp = ChaosStores.hostPort(settings.postgresDsn());
    Tally appendTally = new Tally("appends");
    Tally ackTally = new Tally("acks");
    Tally changeTally = new Tally("session changes");
    long t0 = System.nanoTime();
    try (TcpProxy proxy = new TcpProxy(hp[0], Integer.parseInt(hp[1]))) {
      FlowstoreConfig direct =
          ChaosStores.postgres(settings.postgresDsn(), schema, Map.of("POSTGRES_POOL_MAX", "4"));
      FlowstoreConfig proxied =
          ChaosStores.postgres(
              ChaosStores.viaPort(settings.postgresDsn(), proxy.port()),
              schema,
              Map.of("POSTGRES_POOL_MAX", "16", "FLOWSTORE_MIGRATE_ON_START", "false"));
      try (Flowstore truth = Flowstore.open(direct)) {
        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < 32; i++)
          sessions.add(truth.sessions(TENANT).create(NewSession.builder().build()).sessionId());
        for (int i = 0; i < jobs; i += 500) {
          List<NewJob> batch = new ArrayList<>();
          for (int j = i; j < Math.min(jobs, i + 500); j++)
            batch.add(NewJob.of(QUEUE, "s5", JsonNodeFactory.instance.objectNode().put("n", j)));
          truth.queue(TENANT).enqueueAll(batch);
        }
        try (Flowstore fs = Flowstore.open(proxied);
            ChaosStores.Quiet q =
                ChaosStores.quiet(
                    "com.zaxxer.hikari.pool.ProxyConnection",
                    "dev.flowstore.jdbc.internal.PgWorkListener")) {
          proxy.policy(
              () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                if (rnd.nextInt(CUT_ONE_IN) != 0) return TcpProxy.Cut.NONE;
                return TcpProxy.Cut.values()[1 + rnd.nextInt(3)];
              });
          drive(fs, proxy, sessions, appends, changes, appendTally, ackTally, changeTally);
          proxy.policy(() -> TcpProxy.Cut.NONE);
        }
        checkAppends(truth, appendTally);
        checkAcks(truth, ackTally);
        checkChanges(truth, sessions, changeTally);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      String faults =
          String.format(
              "%d of %d commits cut (%d before sending, %d after sending, %d after the reply), %d cuts of every link",
              proxy.cuts(TcpProxy.Cut.BEFORE)
                  + proxy.cuts(TcpProxy.Cut.AFTER_SEND)
                  + proxy.cuts(TcpProxy.Cut.AFTER_REPLY),
              proxy.commits(),
              proxy.cuts(TcpProxy.Cut.BEFORE),
              proxy.cuts(TcpProxy.Cut.AFTER_SEND),
              proxy.cuts(TcpProxy.Cut.AFTER_REPLY),
              proxy.cutAlls());
      List<Figure> out = new ArrayList<>();
      for (Tally t : List.of(appendTally, ackTally, changeTally))
        out.add(figure(t, faults, seconds));
      return out;
    } finally {
      ChaosStores.dropSchema(settings.postgresDsn(), schema);
    }
  }

  private Figure figure(Tally t, String faults, double seconds) {
    String size =
        switch (t.kind) {
          case "appends" ->
              t.outcomes.size() + " appends (expected version any, generated ids) by 24 threads";
          case "acks" -> t.outcomes.size() + " acks of leased jobs by 8 threads";
          default ->
              t.outcomes.size() + " session changes (expected version) by 8 threads on 32 sessions";
        };
    String result =
        String.format(
            "succeeded %d; duplicated %d, lost %d, committed but reported failed %d, committed with an explicit outcome-unknown error %d, failed and not committed %d%s",
            t.ok(),
            t.duplicated,
            t.lost,
            t.committedButFailed,
            t.committedUnknown,
            t.failedNotCommitted,
            t.examples.isEmpty() ? "" : "; e.g. " + t.examples());
    return new Figure(
        "5 " + name(),
        "postgres via TcpProxy, " + t.kind,
        size,
        faults + String.format(" (%.0f s)", seconds),
        result,
        t.holds());
  }

  private void drive(
      Flowstore fs,
      TcpProxy proxy,
      List<UUID> sessions,
      int appends,
      int changes,
      Tally appendTally,
      Tally ackTally,
      Tally changeTally)
      throws InterruptedException {
    AtomicInteger appendBudget = new AtomicInteger(appends);
    AtomicInteger changeBudget = new AtomicInteger(changes);
    AtomicLong running = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 24; i++)
      threads.add(
          Thread.ofPlatform()
              .name("s5-append")
              .start(() -> appends(fs, appendBudget, appendTally)));
    for (int i = 0; i < 8; i++)
      threads.add(Thread.ofPlatform().name("s5-ack").start(() -> acks(fs, ackTally)));
    for (int i = 0; i < 8; i++) {
      List<UUID> mine = new ArrayList<>();
      for (int j = i; j < sessions.size(); j += 8) mine.add(sessions.get(j));
      threads.add(
          Thread.ofPlatform()
              .name("s5-change")
              .start(() -> changes(fs, mine, changeBudget, changeTally)));
    }
    running.set(threads.size());
    // why: a latch, not a sleep: the cutter waits out its random interval or the writers' end,
    // whichever comes first, so it never cuts after the work is done nor holds up the check
    java.util.concurrent.CountDownLatch writersDone = new java.util.concurrent.CountDownLatch(1);
    Thread chaos =
        Thread.ofPlatform()
            .name("s5-cut-all")
            .start(
                () -> {
                  try {
                    while (!writersDone.await(
                        700 + ThreadLocalRandom.current().nextInt(800),
                        java.util.concurrent.TimeUnit.MILLISECONDS)) proxy.cutAll();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    for (Thread t : threads) t.join();
    writersDone.countDown();
    chaos.join();
  }

  private static void appends(Flowstore fs, AtomicInteger budget, Tally tally) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    while (inTime() && budget.getAndDecrement() > 0) {
      String op = UUID.randomUUID().toString();
      ObjectNode payload = JsonNodeFactory.instance.objectNode().put("op", op);
      try {
        AppendResult r =
            fs.events(TENANT)
                .append(
                    "s5-" + rnd.nextInt(50),
                    ExpectedVersion.ANY,
                    List.of(EventData.of("s5.op", payload)));
        tally.outcomes.add(new Outcome(op, r.events().get(0).eventId(), null));
      } catch (FlowstoreException e) {
        tally.outcomes.add(new Outcome(op, null, e));
      }
    }
  }

  private static void acks(Flowstore fs, Tally tally) {
    int emptyLeases = 0;
    while (inTime() && emptyLeases < 3) {
      List<Lease> leases;
      try {
        leases = fs.queue(TENANT).lease(QUEUE, 1, Duration.ofMinutes(10));
      } catch (FlowstoreException e) {
        continue; // a cut lease may still have committed: that job stays leased, never acked
      }
      if (leases.isEmpty()) {
        emptyLeases++;
        continue;
      }
      Lease l = leases.get(0);
      try {
        fs.queue(TENANT).ack(l.jobId(), l.token());
        tally.outcomes.add(new Outcome(l.jobId().toString(), l.jobId(), null));
      } catch (FlowstoreException e) {
        tally.outcomes.add(new Outcome(l.jobId().toString(), l.jobId(), e));
      }
    }
  }

  private static void changes(Flowstore fs, List<UUID> mine, AtomicInteger budget, Tally tally) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    while (inTime() && budget.getAndDecrement() > 0) {
      UUID id = mine.get(rnd.nextInt(mine.size()));
      Session s;
      try {
        s = fs.sessions(TENANT).get(id).orElseThrow();
      } catch (FlowstoreException e) {
        budget.incrementAndGet();
        continue;
      }
      String op = UUID.randomUUID().toString();
      SessionChange change =
          SessionChange.to("step-" + rnd.nextInt(10))
              .withPayload(JsonNodeFactory.instance.objectNode().put("op", op));
      try {
        fs.sessions(TENANT).change(id, s.version(), change);
        tally.outcomes.add(new Outcome(op, id, null));
      } catch (FlowstoreException e) {
        tally.outcomes.add(new Outcome(op, id, e));
      }
    }
  }

  /** Classifies one outcome given how many times its write is stored. */
  private static void judge(Tally t, Outcome o, int stored) {
    if (stored > 1) {
      t.duplicated++;
      t.example("duplicated", "stored " + stored + " times: " + o.op());
    }
    if (o.error() == null) {
      if (stored == 0) {
        t.lost++;
        t.example("lost", "acknowledged but missing: op " + o.op() + " (" + o.subject() + ")");
      }
    } else if (stored > 0) {
      if (ChaosStores.saysOutcomeUnknown(o.error())) t.committedUnknown++;
      else {
        t.committedButFailed++;
        t.example("committed but reported failed", ChaosStores.describe(o.error()));
      }
    } else {
      t.failedNotCommitted++;
    }
  }

  private static void checkAppends(Flowstore truth, Tally t) {
    Map<String, Integer> stored = new HashMap<>();
    long after = 0, expected = 1, gaps = 0;
    while (true) {
      // the whole feed (session changes append too): its positions must be dense
      List<RecordedEvent> page = truth.events(TENANT).readAll(after, 1000, null);
      if (page.isEmpty()) break;
      for (RecordedEvent e : page) {
        if (e.position() != expected) gaps++;
        expected = e.position() + 1;
        if (e.type().equals("s5.op"))
          stored.merge(e.payload().path("op").asText(), 1, Integer::sum);
      }
      after = page.get(page.size() - 1).position();
    }
    for (Outcome o : t.outcomes) judge(t, o, stored.getOrDefault(o.op(), 0));
    if (gaps > 0) {
      t.lost += gaps;
      t.example("lost", gaps + " gaps in the feed's positions");
    }
  }

  private static void checkAcks(Flowstore truth, Tally t) {
    Map<UUID, Integer> okAcks = new HashMap<>();
    for (Outcome o : t.outcomes) if (o.error() == null) okAcks.merge(o.subject(), 1, Integer::sum);
    for (Outcome o : t.outcomes) {
      JobDetail d = truth.queue(TENANT).get(o.subject()).orElseThrow();
      boolean succeeded = d.job().status() == Job.Status.SUCCEEDED;
      int stored;
      if (!succeeded) stored = 0;
      else if (o.error() == null) stored = 1;
      // an errored ack of a job that some other ack succeeded for did not commit itself
      else stored = okAcks.containsKey(o.subject()) ? 0 : 1;
      judge(t, o, stored);
    }
  }

  private static void checkChanges(Flowstore truth, List<UUID> sessions, Tally t) {
    Map<String, Integer> stored = new HashMap<>();
    for (UUID id : sessions) {
      long from = 0;
      while (true) {
        List<RecordedEvent> page = truth.sessions(TENANT).history(id, from, 1000);
        for (RecordedEvent e : page) {
          String op = findOp(e.payload());
          if (op != null) stored.merge(op, 1, Integer::sum);
        }
        if (page.size() < 1000) break;
        from = page.get(page.size() - 1).version() + 1;
      }
    }
    for (Outcome o : t.outcomes) judge(t, o, stored.getOrDefault(o.op(), 0));
  }

  /** The "op" field of a change's payload, wherever the change's event keeps it. */
  private static String findOp(com.fasterxml.jackson.databind.JsonNode node) {
    if (node == null) return null;
    if (node.has("op") && node.get("op").isTextual()) return node.get("op").asText();
    for (com.fasterxml.jackson.databind.JsonNode child : node) {
      String op = findOp(child);
      if (op != null) return op;
    }
    return null;
  }
}
