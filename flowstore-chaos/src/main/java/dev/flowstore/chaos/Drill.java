package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.ServerProcess;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rollback drill (docs/runbook.md): a server on PostgreSQL with the Redis queue under steady
 * load (appends, session changes, records, enqueue / lease / ack over HTTP), then the runbook for
 * real through the {@code ./flowstore} launcher — {@code maintenance on}, {@code copy} to SQLite
 * (store and queue), {@code compare}, a server on SQLite, {@code maintenance off}, load again — and
 * forward again (SQLite -> PostgreSQL + Redis). Prints the times, the freeze of each direction, the
 * rows copied and the checks: every write acknowledged before a freeze is present at the end, and
 * every job is accounted for (done, queued, leased or in the DLQ; none lost, none stored twice).
 * Started by {@code ./drill} ({@code --quick}; full sizes by default) and, at its smallest, by
 * {@code DrillTest} in {@code ./mvnw verify}. Exit 1 when a check fails.
 */
public final class Drill {
  /**
   * How much: seeded before the load (through the library), seconds of load per phase, loader
   * threads, and whether {@code maintenance}, {@code copy} and {@code compare} run as {@code
   * ./flowstore} processes (the drill) or in this JVM (DrillTest: the same commands without a JVM
   * start each, which on a busy 2-core machine costs more than the commands' work).
   */
  public record Sizes(
      int events, int jobs, int records, int loadSeconds, int loaders, boolean launcher) {}

  /** What a run found. */
  public record Result(boolean ok, List<String> lines) {}

  private static final TenantId TENANT = TenantId.of("drill");
  private static final String COLLECTION = "drill";
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  private final Sizes sizes;
  private final String pgDsn;
  private final String redisDsn;
  private final Path work;
  private final PrintStream out;
  private final List<String> lines = new ArrayList<>();
  private boolean ok = true;

  // what the load had acknowledged (2xx), by kind
  private final Map<UUID, String> events = new ConcurrentHashMap<>(); // event id -> stream
  private final Map<UUID, Long> sessions = new ConcurrentHashMap<>(); // id -> version acked
  private final Set<String> records = ConcurrentHashMap.newKeySet();
  private final Set<UUID> enqueued = ConcurrentHashMap.newKeySet();
  private final Set<UUID> done = ConcurrentHashMap.newKeySet();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong unanswered = new AtomicLong();
  private volatile URI target;
  private volatile Instant firstWriteAfter;

  private Drill(Sizes sizes, String pgDsn, String redisDsn, Path work, PrintStream out) {
    this.sizes = sizes;
    this.pgDsn = pgDsn;
    this.redisDsn = redisDsn;
    this.work = work;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Integer events = null, jobs = null, records = null, load = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        case "--records" -> records = Integer.parseInt(args[++i]);
        case "--load-seconds" -> load = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: ./drill [--quick] [--events N] [--jobs N] [--records N] [--load-seconds S]");
          System.exit(2);
        }
      }
    }
    Sizes base =
        quick
            ? new Sizes(20_000, 2_000, 2_000, 5, 3, true)
            : new Sizes(1_000_000, 100_000, 100_000, 20, 4, true);
    Sizes sizes =
        new Sizes(
            events == null ? base.events() : events,
            jobs == null ? base.jobs() : jobs,
            records == null ? base.records() : records,
            load == null ? base.loadSeconds() : load,
            base.loaders(),
            true);
    Map<String, String> env = System.getenv();
    Path work = Files.createTempDirectory("flowstore-drill-");
    Result r =
        run(
            sizes,
            env.getOrDefault("POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"),
            env.getOrDefault("REDIS_DSN", "redis://127.0.0.1:6379/0"),
            work,
            System.out);
    System.exit(r.ok() ? 0 : 1);
  }

  /** Runs the drill; the report goes to {@code out} as it goes, and comes back in the result. */
  public static Result run(Sizes sizes, String pgDsn, String redisDsn, Path work, PrintStream out)
      throws Exception {
    Drill d = new Drill(sizes, pgDsn, redisDsn, work, out);
    d.go();
    return new Result(d.ok, List.copyOf(d.lines));
  }

  private void say(String line) {
    lines.add(line);
    out.println(line);
    out.flush();
  }

  private void check(boolean holds, String what) {
    say((holds ? "ok    " : "FAILED") + " " + what);
    if (!holds) ok = false;
  }

  private Map<String, String> postgresRedis(String schema, String env) {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "postgres");
    m.put("POSTGRES_DSN", pgDsn);
    m.put("POSTGRES_SCHEMA", schema);
    m.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    m.put("REDIS_DSN", redisDsn);
    m.put("FLOWSTORE_ENV", env);
    m.put("JOB_RETENTION_HOURS", "0");
    return m;
  }

  private String pgSpec(String schema) {
    return pgDsn + (pgDsn.contains("?") ? "&" : "?") + "schema=" + schema;
  }

  private String redisSpec(String env) {
    return redisDsn + (redisDsn.contains("?") ? "&" : "?") + "env=" + env;
  }

  private void go() throws Exception {
    String run = Long.toString(System.nanoTime() & 0xffffffffL, 36);
    String schemaA = "drill_a_" + run, envA = "drill-a-" + run;
    String schemaC = "drill_c_" + run, envC = "drill-c-" + run;
    Path sqlite = work.resolve("sqlite-data");
    Map<String, String> a = postgresRedis(schemaA, envA);
    Map<String, String> b = new HashMap<>();
    b.put("FLOWSTORE_STORE_BACKEND", "sqlite");
    b.put("FLOWSTORE_DATA_DIR", sqlite.toString());
    b.put("JOB_RETENTION_HOURS", "0");
    Map<String, String> c = postgresRedis(schemaC, envC);
    Instant start = Instant.now();
    say("drill: start " + start + " (" + sizes + ")");
    ExecutorService load = Executors.newFixedThreadPool(sizes.loaders());
    AtomicBoolean stop = new AtomicBoolean();
    ServerProcess server = null;
    try {
      long seeded = seed(a);
      say("seeded " + seeded + " rows in PostgreSQL + Redis (" + since(start) + ")");
      server = ServerProcess.start(work.resolve("server-a"), a);
      target = server.uri();
      List<Future<?>> loaders = new ArrayList<>();
      for (int i = 0; i < sizes.loaders(); i++) {
        int k = i;
        loaders.add(load.submit(() -> loadLoop(k, stop)));
      }
      pause(Duration.ofSeconds(sizes.loadSeconds()));
      // rollback: PostgreSQL + Redis -> SQLite
      server =
          switchOver(
              "rollback",
              server,
              a,
              pgSpec(schemaA),
              redisSpec(envA),
              b,
              "sqlite:" + sqlite,
              null,
              work.resolve("server-b"));
      pause(Duration.ofSeconds(sizes.loadSeconds()));
      // forward again: SQLite -> PostgreSQL + Redis
      server =
          switchOver(
              "forward",
              server,
              b,
              "sqlite:" + sqlite,
              null,
              c,
              pgSpec(schemaC),
              redisSpec(envC),
              work.resolve("server-c"));
      pause(Duration.ofSeconds(sizes.loadSeconds()));
      stop.set(true);
      for (Future<?> f : loaders) f.get();
      server.stop();
      server = null;
      verify(c, seeded);
    } finally {
      stop.set(true);
      load.shutdownNow();
      if (server != null) server.stop();
      cleanUp(a, envA);
      cleanUp(c, envC);
    }
    Instant end = Instant.now();
    say("drill: end " + end + ", " + since(start) + " in all: " + (ok ? "PASSED" : "FAILED"));
  }

  private static String between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return String.format("%d.%03d s", d.toSeconds(), d.toMillisPart());
  }

  private static String since(Instant t) {
    Duration d = Duration.between(t, Instant.now());
    return String.format("%d.%03d s", d.toSeconds(), d.toMillisPart());
  }

  private static void pause(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < until) LockSupport.parkNanos(until - System.nanoTime());
  }

  /** Seeds the source through the library: events, records, jobs in several states. */
  private long seed(Map<String, String> env) throws Exception {
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env))) {
      fs.collections().declare(CollectionSpec.of(COLLECTION));
      int threads = 4;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int k = t;
        parts.add(
            pool.submit(
                () -> {
                  for (int s = k; s * 100 < sizes.events(); s += threads) {
                    List<EventData> batch = new ArrayList<>();
                    for (int i = 0; i < 100 && s * 100 + i < sizes.events(); i++)
                      batch.add(EventData.of("seeded", J.objectNode().put("i", s * 100 + i)));
                    fs.events(TENANT).append("seed-" + s, ExpectedVersion.NO_STREAM, batch);
                  }
                  for (int r = k; r < sizes.records(); r += threads)
                    fs.records(TENANT)
                        .create(
                            COLLECTION,
                            NewRecord.of("seed-" + r, J.objectNode().put("i", r).put("s", "x")));
                  return null;
                }));
      }
      Queue q = fs.queue(TENANT);
      for (int i = 0; i < sizes.jobs(); i += 1000) {
        List<NewJob> batch = new ArrayList<>();
        for (int k = i; k < Math.min(sizes.jobs(), i + 1000); k++)
          batch.add(
              NewJob.of("seed", "work", J.objectNode().put("i", k))
                  .withMaxAttempts(k % 50 == 0 ? 1 : 5));
        q.enqueueAll(batch);
      }
      // some done, some dead-lettered, some left leased (their lease runs past the switch);
      // a lease takes at most 1000 jobs, so a tenth of a big seed is leased 1000 at a time
      for (int left = Math.max(1, sizes.jobs() / 10); left > 0; ) {
        List<Lease> leased = q.lease("seed", Math.min(1000, left), Duration.ofSeconds(30));
        if (leased.isEmpty()) break;
        left -= leased.size();
        for (Lease l : leased) {
          if (l.job().maxAttempts() == 1) q.nack(l.jobId(), l.token(), "seeded failure", null);
          else if (l.job().payload().get("i").asInt() % 3 != 0) q.ack(l.jobId(), l.token());
        }
      }
      for (Future<?> f : parts) f.get();
      pool.shutdown();
      return sizes.events() + (long) sizes.records() + sizes.jobs();
    }
  }

  /** One loader: appends, sessions, records, enqueue, lease + ack; remembers what was acked. */
  private Void loadLoop(int k, AtomicBoolean stop) {
    Http http = new Http();
    long i = 0;
    UUID session = null;
    long version = -1;
    while (!stop.get()) {
      URI uri = target;
      i++;
      try {
        switch ((int) (i % 5)) {
          case 0 -> {
            UUID id = UUID.randomUUID();
            String stream = "load-" + k;
            ObjectNode ev = J.objectNode().put("type", "loaded").put("event_id", id.toString());
            ev.putObject("payload").put("i", i);
            ObjectNode body = J.objectNode().put("expected_version", "any");
            body.putArray("events").add(ev);
            if (acked(http.post(uri, "/v1/streams/" + stream + "/events", tenant(body), null)))
              events.put(id, stream);
          }
          case 1 -> {
            if (session == null) {
              UUID id = UUID.randomUUID();
              ObjectNode body =
                  J.objectNode().put("session_id", id.toString()).put("initial_state", "s0");
              Http.Resp r = http.post(uri, "/v1/sessions", tenant(body), null);
              if (acked(r)) {
                session = id;
                version = r.body().path("version").asLong();
                sessions.put(id, version);
              }
            } else {
              ObjectNode body =
                  J.objectNode().put("expected_version", version).put("to_state", "s" + (i % 7));
              body.putObject("state").put("i", i);
              Http.Resp r =
                  http.post(uri, "/v1/sessions/" + session + "/transitions", tenant(body), null);
              if (acked(r)) {
                version = r.body().path("version").asLong();
                sessions.put(session, version);
                if (version > 20) session = null;
              } else if (r.status() == 409) {
                session = null; // a transition whose answer was lost moved it on: start another
              }
            }
          }
          case 2 -> {
            String id = "load-" + k + "-" + i;
            ObjectNode body = J.objectNode().put("id", id);
            body.putObject("data").put("i", i).put("s", "load");
            if (acked(
                http.post(uri, "/v1/collections/" + COLLECTION + "/records", tenant(body), null)))
              records.add(id);
          }
          case 3 -> {
            ObjectNode body = J.objectNode().put("job_type", "work");
            body.putObject("payload").put("k", k).put("i", i);
            Http.Resp r = http.post(uri, "/v1/queues/load/jobs", tenant(body), null);
            if (acked(r)) enqueued.add(UUID.fromString(r.body().path("job_id").asText()));
          }
          default -> {
            Http.Resp r =
                http.post(
                    uri, "/v1/queues/load/leases", tenant(J.objectNode().put("max", 1)), null);
            if (acked(r))
              for (JsonNode l : r.body().path("leases")) {
                UUID id = UUID.fromString(l.path("job_id").asText());
                ObjectNode ack = J.objectNode().put("lease_token", l.path("lease_token").asLong());
                if (acked(http.post(uri, "/v1/jobs/" + id + "/ack", tenant(ack), null)))
                  done.add(id);
              }
          }
        }
      } catch (IOException e) {
        unanswered.incrementAndGet(); // the server was being switched: not acknowledged
        pause(Duration.ofMillis(50));
      }
    }
    return null;
  }

  /**
   * The body (the tenant goes in the X-Tenant-Id header, which Http cannot set: default tenant).
   */
  private static ObjectNode tenant(ObjectNode body) {
    return body;
  }

  private boolean acked(Http.Resp r) {
    if (r.ok()) {
      if (firstWriteAfter == null) firstWriteAfter = Instant.now();
      return true;
    }
    if (r.status() == 503) refused.incrementAndGet();
    return false;
  }

  /** Runs a {@code flowstore} command: through the launcher, or in this JVM. */
  private ServerProcess.Run cli(Path dir, Map<String, String> env, String... args) {
    if (sizes.launcher()) return ServerProcess.run(dir, env, args);
    java.io.StringWriter text = new java.io.StringWriter();
    java.io.PrintWriter w = new java.io.PrintWriter(text);
    int code = dev.flowstore.server.FlowstoreCli.execute(args, env, w, w);
    w.flush();
    return new ServerProcess.Run(code, text.toString());
  }

  /** One direction of the runbook: freeze, stop, copy, compare, start the new server, unfreeze. */
  private ServerProcess switchOver(
      String name,
      ServerProcess old,
      Map<String, String> oldEnv,
      String from,
      String fromQueue,
      Map<String, String> newEnv,
      String to,
      String toQueue,
      Path newDir)
      throws Exception {
    Path cli = work.resolve("cli");
    Instant asked = Instant.now();
    ServerProcess.Run on = cli(cli, oldEnv, "maintenance", "on", "--reason", "drill " + name);
    // the freeze counts from here: the flag is set (servers refuse writes within 1 s)
    Instant freeze = Instant.now();
    check(
        on.code() == 0,
        name
            + ": maintenance on in "
            + between(asked, freeze)
            + " ("
            + on.output().strip().lines().reduce((x, y) -> y).orElse("")
            + ")");
    // why: each server re-reads the flag at most 1 s after its last read (docs/switching.md)
    pause(Duration.ofMillis(1200));
    Instant stopping = Instant.now();
    old.stop();
    say(name + ": old server stopped in " + between(stopping, Instant.now()));
    List<String> copyArgs = new ArrayList<>(List.of("copy", "--from", from, "--to", to));
    if (fromQueue != null) copyArgs.addAll(List.of("--from-queue", fromQueue));
    if (toQueue != null) copyArgs.addAll(List.of("--to-queue", toQueue));
    Instant copyStart = Instant.now();
    ServerProcess.Run copy = cli(cli, Map.of(), copyArgs.toArray(String[]::new));
    Matcher m = Pattern.compile("copied (\\d+) rows").matcher(copy.output());
    String rows = m.find() ? m.group(1) : "?";
    check(
        copy.code() == 0,
        name + ": copy " + rows + " rows in " + since(copyStart) + " (exit " + copy.code() + ")");
    if (copy.code() != 0) say(copy.output());
    List<String> compareArgs = new ArrayList<>(List.of("compare", from, to));
    if (fromQueue != null) compareArgs.addAll(List.of("--queue-a", fromQueue));
    if (toQueue != null) compareArgs.addAll(List.of("--queue-b", toQueue));
    Instant compareStart = Instant.now();
    ServerProcess.Run compare = cli(cli, Map.of(), compareArgs.toArray(String[]::new));
    String last = compare.output().strip().lines().reduce((x, y) -> y).orElse("");
    check(
        compare.code() == 0,
        name
            + ": compare in "
            + since(compareStart)
            + ": "
            + last
            + " (exit "
            + compare.code()
            + ")");
    if (compare.code() != 0) say(compare.output());
    firstWriteAfter = null;
    Instant starting = Instant.now();
    ServerProcess next = ServerProcess.start(newDir, newEnv);
    // the copy does not carry the flag: the new server takes writes as soon as it is ready
    target = next.uri();
    say(name + ": new server ready in " + between(starting, Instant.now()));
    Instant deadline = Instant.now().plusSeconds(60);
    while (firstWriteAfter == null && Instant.now().isBefore(deadline))
      pause(Duration.ofMillis(20));
    Duration frozen =
        Duration.between(freeze, firstWriteAfter == null ? Instant.now() : firstWriteAfter);
    check(
        firstWriteAfter != null,
        String.format(
            "%s: freeze %d.%03d s (maintenance on returned -> first write acknowledged by the new"
                + " server)",
            name, frozen.toSeconds(), frozen.toMillisPart()));
    ServerProcess.Run off = cli(cli, newEnv, "maintenance", "off");
    check(off.code() == 0, name + ": maintenance off on the new backend");
    return next;
  }

  /** Every acknowledged write is in the final deployment; every job is accounted for. */
  private void verify(Map<String, String> env, long seeded) {
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env))) {
      TenantId t = TenantId.DEFAULT;
      Map<String, Set<UUID>> byStream = new HashMap<>();
      events.forEach(
          (id, s) -> byStream.computeIfAbsent(s, x -> new java.util.HashSet<>()).add(id));
      long missingEvents = 0;
      for (Map.Entry<String, Set<UUID>> e : byStream.entrySet()) {
        Set<UUID> seen = new java.util.HashSet<>();
        long from = 0;
        while (true) {
          List<RecordedEvent> page =
              fs.events(t).readStream(e.getKey(), from, 1000, dev.flowstore.Direction.FORWARD);
          for (RecordedEvent ev : page) seen.add(ev.eventId());
          if (page.size() < 1000) break;
          from = page.get(page.size() - 1).version() + 1;
        }
        for (UUID id : e.getValue()) if (!seen.contains(id)) missingEvents++;
      }
      check(
          missingEvents == 0,
          "events: " + events.size() + " acknowledged, " + missingEvents + " missing");
      long behind = 0;
      for (Map.Entry<UUID, Long> s : sessions.entrySet()) {
        var got = fs.sessions(t).get(s.getKey());
        if (got.isEmpty() || got.get().version() < s.getValue()) behind++;
      }
      check(
          behind == 0,
          "sessions: " + sessions.size() + " acknowledged, " + behind + " missing or behind");
      long lostRecords = 0;
      for (String id : records) if (fs.records(t).get(COLLECTION, id).isEmpty()) lostRecords++;
      check(
          lostRecords == 0,
          "records: " + records.size() + " acknowledged, " + lostRecords + " missing");
      Queue q = fs.queue(t);
      long lost = 0, notDone = 0;
      for (UUID id : enqueued) {
        java.util.Optional<JobDetail> j = q.get(id);
        if (j.isEmpty()) lost++;
        else if (done.contains(id) && j.get().job().status() != Job.Status.SUCCEEDED) notDone++;
      }
      long stored = 0, succeeded = 0, waiting = 0, dlq = 0;
      for (QueueStats s : q.stats()) {
        if (!s.queue().equals("load")) continue;
        stored += s.depth() + s.succeeded() + s.dlqPending() + s.dlqRecorded() + s.failed();
        succeeded += s.succeeded();
        waiting += s.depth();
        dlq += s.dlqPending() + s.dlqRecorded() + s.failed();
      }
      check(
          lost == 0
              && notDone == 0
              && stored >= enqueued.size()
              && stored - enqueued.size() <= unanswered.get(),
          String.format(
              "jobs: %d enqueues acknowledged, %d acks; at the end %d stored (%d done, %d queued or leased, %d DLQ), %d lost, %d acked but not done, %d stored without an answer (<= %d unanswered calls)",
              enqueued.size(),
              done.size(),
              stored,
              succeeded,
              waiting,
              dlq,
              lost,
              notDone,
              stored - enqueued.size(),
              unanswered.get()));
      long seedJobs = 0;
      for (QueueStats s : fs.queue(TENANT).stats())
        if (s.queue().equals("seed"))
          seedJobs += s.depth() + s.succeeded() + s.dlqPending() + s.dlqRecorded() + s.failed();
      check(
          seedJobs == sizes.jobs(),
          "seeded jobs: " + sizes.jobs() + " seeded, " + seedJobs + " at the end");
      say(
          "writes refused during the freezes (503): "
              + refused.get()
              + "; calls unanswered while a server was switched: "
              + unanswered.get());
    }
  }

  private void cleanUp(Map<String, String> env, String redisEnv) {
    try {
      TestBackends.drop(FlowstoreConfig.fromMap(env));
    } catch (RuntimeException e) {
      out.println("drill: could not drop " + env.get("POSTGRES_SCHEMA") + ": " + e.getMessage());
    }
    RedisClient client = RedisClient.create(redisDsn);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync()
                .scan(cursor, ScanArgs.Builder.matches("flowstore:" + redisEnv + ":*").limit(1000));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }
}
