package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Scenario 2, several instances: three {@code flowstore serve} processes on one PostgreSQL (and one
 * Redis for the Redis queue), producers and workers spread over them, one instance SIGKILLed at
 * random and restarted every few seconds. The queue gets {@link QueueCheck}. Meanwhile the harness
 * writes outbox messages (Java API, as an application does: there is no HTTP route to add one) and
 * the relay and the sweeper of every instance run; the outbox check: every message published, each
 * relayed to the queue exactly once (one job per message; a second job only when an instance was
 * killed between the two, i.e. a relay died between publish and mark), each of those jobs
 * succeeded, and the jobs' histories show no lease reaped twice.
 */
final class S2ManyInstances implements Scenario {
  static final String NAME = "several instances";
  static final int INSTANCES = 3;

  @Override
  public int number() {
    return 2;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    List<Figure> figures = new ArrayList<>();
    // why: three server starts per variant are the slow part; the setup (one PostgreSQL and
    // one Redis) runs in every mode, the PostgreSQL queue on its own only in the full run
    List<String> variants =
        settings.mode() == ChaosSettings.Mode.FULL
            ? List.of("redis", "postgres")
            : List.of("redis");
    for (String variant : S1QueueCrashes.only(variants))
      figures.addAll(runVariant(settings, variant));
    return figures;
  }

  List<Figure> runVariant(ChaosSettings settings, String variant) throws Exception {
    Path dir = settings.workDir().resolve("s2-" + variant);
    Files.createDirectories(dir);
    Map<String, String> env = S1QueueCrashes.baseEnv();
    env.put("OUTBOX_POLL_INTERVAL_MS", "200");
    Map<String, String> store = new HashMap<>();
    PrivateServers.Redis redis = null;
    try (PrivateServers.Postgres pg = PrivateServers.Postgres.start(dir, "postgres")) {
      store.put("FLOWSTORE_STORE_BACKEND", "postgres");
      store.put("POSTGRES_DSN", pg.dsn());
      if (variant.equals("redis")) {
        redis = PrivateServers.Redis.start(dir, "redis");
        store.put("FLOWSTORE_QUEUE_BACKEND", "redis");
        store.put("REDIS_DSN", redis.dsn());
        store.put("FLOWSTORE_ENV", "chaos");
      } else store.put("FLOWSTORE_QUEUE_BACKEND", "postgres");
      env.putAll(store);
      try (Servers servers = new Servers(dir, env, INSTANCES)) {
        servers.startAll();
        try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(store))) {
          return drive(settings, variant, servers, fs);
        }
      }
    } finally {
      if (redis != null) redis.close();
    }
  }

  private List<Figure> drive(ChaosSettings settings, String variant, Servers servers, Flowstore fs)
      throws Exception {
    long t0 = System.nanoTime();
    QueueWorkload.Options mainOptions =
        S1QueueCrashes.options(settings, "chaos", INSTANCES, 2 * INSTANCES);
    int messages = settings.pick(200, 3_000, 20_000);
    QueueWorkload.Options outboxOptions =
        new QueueWorkload.Options(
            "chaos-outbox",
            messages,
            1,
            0,
            INSTANCES,
            10,
            mainOptions.visibilityS(),
            0.01,
            0.0,
            2_000,
            mainOptions.drainTimeoutMs(),
            mainOptions.loadMs());
    QueueWorkload main = new QueueWorkload(mainOptions, servers);
    QueueWorkload outboxQueue = new QueueWorkload(outboxOptions, servers);
    Faults faults = Faults.forMode(settings);
    faults.add(
        "SIGKILL of one instance (of 3)",
        1,
        () -> servers.restart(ThreadLocalRandom.current().nextInt(INSTANCES)));

    Map<Integer, OutboxMessage> sent = new ConcurrentHashMap<>();
    List<Throwable> producerFailure = new ArrayList<>();
    Thread outboxProducer =
        Thread.ofPlatform()
            .name("outbox-producer")
            .start(
                () -> {
                  try {
                    produceOutbox(
                        fs, "chaos-outbox", messages, mainOptions.loadMs(), main.runId, sent);
                  } catch (Throwable t) {
                    producerFailure.add(t);
                  }
                });
    main.start();
    outboxQueue.start();
    faults.start();
    main.awaitProducers();
    outboxProducer.join();
    faults.stopAndJoin();
    if (!producerFailure.isEmpty())
      throw new IllegalStateException("the outbox producer failed", producerFailure.get(0));
    boolean relayed = awaitRelayed(fs, mainOptions.drainTimeoutMs());
    main.drain();
    outboxQueue.drain();

    Map<String, JsonNode> mainJobs = main.finalJobs(main.jobIds());
    QueueCheck c = QueueCheck.check(main, mainJobs);
    String sizeSuffix = String.format(", %.0f s", (System.nanoTime() - t0) / 1e9);
    List<Figure> figures = new ArrayList<>();
    boolean ok =
        c.ok() && main.drained && main.harnessErrors.isEmpty() && main.rejectedEnqueues.get() == 0;
    String result = c.summary();
    if (!main.drained) result = "queue not drained; " + result;
    if (!main.harnessErrors.isEmpty()) result += "; harness errors: " + main.harnessErrors.peek();
    if (!ok) result += " (server logs: " + servers.logs() + ")";
    figures.add(
        new Figure(
            "2 " + NAME,
            variant + " queue",
            String.format(
                "%d jobs, %d producers, %d workers, %d instances, visibility %d s%s",
                mainOptions.jobs(),
                mainOptions.producers(),
                mainOptions.workers(),
                INSTANCES,
                mainOptions.visibilityS(),
                sizeSuffix),
            faults.describe(),
            result,
            ok));
    figures.add(outboxFigure(variant, fs, sent, outboxQueue, faults, relayed, servers, sizeSuffix));
    return figures;
  }

  /** Writes {@code messages} outbox messages, ten per transaction, spread over {@code loadMs}. */
  static void produceOutbox(
      Flowstore fs,
      String queue,
      int messages,
      long loadMs,
      String runId,
      Map<Integer, OutboxMessage> sent) {
    long start = System.currentTimeMillis();
    for (int k = 0; k < messages; k += 10) {
      long wait = start + (long) ((double) k / messages * loadMs) - System.currentTimeMillis();
      if (wait > 0) QueueWorkload.pause(wait);
      int from = k;
      int to = Math.min(messages, k + 10);
      List<OutboxMessage> added =
          fs.inTransaction(
              TenantId.DEFAULT,
              tx -> {
                List<OutboxMessage> out = new ArrayList<>();
                for (int n = from; n < to; n++) {
                  ObjectNode payload = Http.JSON.createObjectNode().put("n", n).put("run", runId);
                  out.add(
                      tx.outbox()
                          .add(
                              "queue:" + queue,
                              payload,
                              Http.JSON.createObjectNode(),
                              UUID.randomUUID()));
                }
                return out;
              });
      for (int n = from; n < to; n++) sent.put(n, added.get(n - from));
    }
  }

  /** Waits until no outbox message is pending (the relays published everything). */
  static boolean awaitRelayed(Flowstore fs, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (fs.outbox(TenantId.DEFAULT).list(OutboxMessage.Status.PENDING, 1, null).isEmpty())
        return true;
      QueueWorkload.pause(250);
    }
    return false;
  }

  private Figure outboxFigure(
      String variant,
      Flowstore fs,
      Map<Integer, OutboxMessage> sent,
      QueueWorkload outboxQueue,
      Faults faults,
      boolean relayed,
      Servers servers,
      String sizeSuffix)
      throws Exception {
    Map<Integer, Set<String>> jobsOf = new HashMap<>();
    for (QueueWorkload.LeaseRec l : outboxQueue.leases)
      jobsOf.computeIfAbsent(l.n(), k -> new HashSet<>()).add(l.jobId());
    Map<String, JsonNode> jobs = outboxQueue.finalJobs(outboxQueue.jobIds());
    QueueCheck qc = QueueCheck.check(outboxQueue, jobs);
    List<Long> faultTimes = faults.times();
    int notPublished = 0, missing = 0, twice = 0, twiceExplained = 0, notSucceeded = 0, foreign = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<Integer, OutboxMessage> e : sent.entrySet()) {
      OutboxMessage now = fs.outbox(TenantId.DEFAULT).get(e.getValue().messageId()).orElse(null);
      if (now == null || now.status() != OutboxMessage.Status.PUBLISHED) {
        notPublished++;
        if (examples.size() < 3)
          examples.add(
              "message " + e.getValue().messageId() + " " + (now == null ? "gone" : now.status()));
      }
      Set<String> ids = jobsOf.getOrDefault(e.getKey(), Set.of());
      List<JsonNode> its = new ArrayList<>();
      for (String id : ids) its.add(jobs.get(id));
      if (ids.isEmpty()) {
        missing++;
        if (examples.size() < 3)
          examples.add("message " + e.getValue().messageId() + " never delivered");
        continue;
      }
      for (JsonNode j : its) {
        if (!j.path("status").asText().equals("succeeded")) notSucceeded++;
        if (!j.path("event_id").asText().equals(e.getValue().eventId().toString())) foreign++;
      }
      if (ids.size() > 1) {
        twice++;
        List<Instant> created = new ArrayList<>();
        for (JsonNode j : its) created.add(Instant.parse(j.path("created_at").asText()));
        created.sort(null);
        long first = created.get(0).toEpochMilli() - 1000;
        long last = created.get(created.size() - 1).toEpochMilli();
        // explained: a relay was killed between the two publishes, and the second came no earlier
        // than the claim's hold after the first (no live relay re-published a held message)
        long holdMs = dev.flowstore.OutboxRelay.HOLD.toMillis() - 1000;
        if (faultTimes.stream().anyMatch(t -> t >= first && t <= last)
            && last - (first + 1000) >= holdMs) twiceExplained++;
        else if (examples.size() < 3)
          examples.add(
              "message "
                  + e.getValue().messageId()
                  + " relayed as "
                  + ids
                  + " with no instance killed in between");
      }
    }
    boolean ok =
        relayed
            && notPublished == 0
            && missing == 0
            && twice == twiceExplained
            && notSucceeded == 0
            && foreign == 0
            && qc.duplicates == qc.explained
            && qc.doubleAcks == 0
            && qc.staleAcksAccepted == 0
            && qc.historyProblems == 0
            && outboxQueue.drained
            && outboxQueue.harnessErrors.isEmpty();
    String result =
        String.format(
            "messages %d, not published %d, missing %d, relayed twice %d (%d explained: a relay killed in between, %d s hold apart), jobs not succeeded %d,"
                + " wrong event id %d; deliveries %d, duplicates %d (%d explained by expiry), double acks %d, stale acks accepted %d,"
                + " history problems (e.g. a lease reaped twice) %d",
            sent.size(),
            notPublished,
            missing,
            twice,
            twiceExplained,
            dev.flowstore.OutboxRelay.HOLD.toSeconds(),
            notSucceeded,
            foreign,
            qc.deliveries,
            qc.duplicates,
            qc.explained,
            qc.doubleAcks,
            qc.staleAcksAccepted,
            qc.historyProblems);
    if (!relayed) result = "outbox not relayed in time; " + result;
    if (!outboxQueue.drained) result = "outbox queue not drained; " + result;
    // why: the queue checker sees a message's second job as a "duplicate enqueue"; here that is
    // the relayed-twice count above, judged by its own rule
    qc.examples.stream()
        .filter(x -> !x.startsWith("duplicate enqueue"))
        .limit(2)
        .forEach(examples::add);
    if (!examples.isEmpty()) result += "; e.g. " + String.join("; ", examples);
    if (!ok) result += " (server logs: " + servers.logs() + ")";
    return new Figure(
        "2 " + NAME,
        variant + " queue: outbox relay and sweeper on every instance",
        sent.size()
            + " outbox messages, "
            + INSTANCES
            + " relays, "
            + INSTANCES
            + " workers"
            + sizeSuffix,
        faults.describe() + " (the same run)",
        result,
        ok);
  }
}
