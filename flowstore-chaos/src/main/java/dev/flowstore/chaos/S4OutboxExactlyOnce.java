package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.OutboxMessage;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 4, outbox exactly-once effects: the harness writes outbox messages (Java API, in
 * transactions), the relay of {@code flowstore serve} publishes them to a queue, and {@link
 * OutboxConsumer} processes lease them over HTTP and apply each one's side effect idempotently
 * (consumer de-duplication on the event id, in the effect's transaction). The server (the relay) is
 * SIGKILLed at random, consumers are SIGKILLed at random and some halt between effect and ack.
 * Check: every message's effect exactly once, none missing.
 */
final class S4OutboxExactlyOnce implements Scenario {
  static final String NAME = "outbox exactly-once effects";
  static final String QUEUE = "effects";
  static final int CONSUMERS = 2;

  @Override
  public int number() {
    return 4;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    List<Figure> figures = new ArrayList<>();
    List<String> variants =
        settings.mode() == ChaosSettings.Mode.CI
            ? List.of("postgres")
            : List.of("postgres", "redis");
    for (String variant : S1QueueCrashes.only(variants)) figures.add(runVariant(settings, variant));
    return figures;
  }

  Figure runVariant(ChaosSettings settings, String variant) throws Exception {
    Path dir = settings.workDir().resolve("s4-" + variant);
    Files.createDirectories(dir);
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
      Map<String, String> env = S1QueueCrashes.baseEnv();
      env.put("OUTBOX_POLL_INTERVAL_MS", "200");
      env.putAll(store);
      try (Servers servers = new Servers(dir, env, 1);
          Consumers consumers =
              new Consumers(
                  dir,
                  store,
                  settings.pick(2, 3, 5),
                  // why: a halted consumer costs a JVM start; about six per variant in CI and quick
                  settings.pick(20, 4, 1) / 1000.0)) {
        servers.startAll();
        consumers.publish(servers.uri(0));
        try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(store))) {
          return drive(settings, variant, servers, consumers, fs);
        }
      }
    } finally {
      if (redis != null) redis.close();
    }
  }

  private Figure drive(
      ChaosSettings settings, String variant, Servers servers, Consumers consumers, Flowstore fs)
      throws Exception {
    long t0 = System.nanoTime();
    int messages = settings.pick(300, 1_500, 30_000);
    long loadMs = settings.pick(8_000, 15_000, 240_000);
    consumers.startAll();
    Faults faults = Faults.forMode(settings);
    faults.add(
        "SIGKILL of the server (its relay)",
        1,
        () -> {
          servers.restart(0);
          consumers.publish(servers.uri(0));
        });
    faults.add("SIGKILL of a consumer", 1, consumers::killOne);
    Map<Integer, OutboxMessage> sent = new ConcurrentHashMap<>();
    faults.start();
    try {
      S2ManyInstances.produceOutbox(fs, QUEUE, messages, loadMs, "s4", sent);
    } finally {
      faults.stopAndJoin();
    }
    long drainTimeout = settings.pick(120_000, 180_000, 900_000);
    boolean relayed = S2ManyInstances.awaitRelayed(fs, drainTimeout);
    boolean effectsDone = relayed && awaitEffects(fs, messages, drainTimeout);
    // a job whose consumer died or halted after its effect is still leased: the consumers keep
    // running until its lease expires and it comes back, is seen as applied and acked
    boolean drained = effectsDone && awaitEmptyQueue(servers, drainTimeout);
    consumers.close();

    // the effects: stream effect-<n> must hold exactly one event for each message n
    Map<Integer, Integer> effects = new HashMap<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = fs.events(TenantId.DEFAULT).readAll(after, 1000, "effect");
      for (RecordedEvent e : page) {
        effects.merge(Integer.parseInt(e.stream().substring("effect-".length())), 1, Integer::sum);
        after = e.position();
      }
      if (page.size() < 1000) break;
    }
    int missing = 0, twice = 0, unexpected = 0;
    List<String> examples = new ArrayList<>();
    for (int n = 0; n < messages; n++) {
      int k = effects.getOrDefault(n, 0);
      if (k == 0) {
        missing++;
        if (examples.size() < 3)
          examples.add("message " + n + " (" + sent.get(n).messageId() + ") has no effect");
      } else if (k > 1) {
        twice++;
        if (examples.size() < 3) examples.add("message " + n + " applied " + k + " times");
      }
    }
    for (int n : effects.keySet()) if (n < 0 || n >= messages) unexpected++;
    int notPublished = 0;
    for (OutboxMessage m : sent.values()) {
      OutboxMessage now = fs.outbox(TenantId.DEFAULT).get(m.messageId()).orElse(null);
      if (now == null || now.status() != OutboxMessage.Status.PUBLISHED) notPublished++;
    }
    Long depth = depth(servers.uri(0));
    int[] lines = consumers.deliveries();
    boolean ok =
        missing == 0
            && twice == 0
            && unexpected == 0
            && notPublished == 0
            && drained
            && depth != null
            && depth == 0;
    String result =
        String.format(
            "messages %d, effects exactly once %d, missing %d, applied twice %d, unexpected %d, not published %d,"
                + " queue depth at the end %s; deliveries seen by consumers %d (%d already applied, skipped)",
            messages,
            messages - missing - twice,
            missing,
            twice,
            unexpected,
            notPublished,
            depth,
            lines[0] + lines[1],
            lines[1]);
    if (!effectsDone) result = "effects not complete in " + drainTimeout / 1000 + " s; " + result;
    else if (!drained) result = "queue not empty after " + drainTimeout / 1000 + " s; " + result;
    if (!examples.isEmpty()) result += "; e.g. " + String.join("; ", examples);
    if (!ok) result += " (logs: " + servers.logs() + ", " + consumers.dir + ")";
    String faultText =
        faults.describe() + ", " + consumers.halts() + " consumer halts between effect and ack";
    return new Figure(
        "4 " + NAME,
        variant.equals("redis") ? "postgres store + redis queue" : "postgres",
        String.format(
            "%d outbox messages, 1 server (relay), %d consumer processes, %.0f s",
            messages, consumers.count, (System.nanoTime() - t0) / 1e9),
        faultText,
        result,
        ok);
  }

  /** Waits until every message has at least one effect (the consumers caught up). */
  private static boolean awaitEffects(Flowstore fs, int messages, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (countEffectStreams(fs) >= messages) return true;
      QueueWorkload.pause(1000);
    }
    return false;
  }

  /** Waits until the queue is empty twice in a row (no ack in flight can put a job back). */
  private static boolean awaitEmptyQueue(Servers servers, long timeoutMs) {
    int[] emptyPolls = {0};
    try {
      org.awaitility.Awaitility.await("queue " + QUEUE + " empty")
          .atMost(java.time.Duration.ofMillis(timeoutMs))
          .pollInterval(java.time.Duration.ofMillis(500))
          .until(
              () -> {
                Long depth = depth(servers.uri(0));
                emptyPolls[0] = depth != null && depth == 0 ? emptyPolls[0] + 1 : 0;
                return emptyPolls[0] >= 2;
              });
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  private static int countEffectStreams(Flowstore fs) {
    java.util.Set<String> streams = new java.util.HashSet<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = fs.events(TenantId.DEFAULT).readAll(after, 1000, "effect");
      for (RecordedEvent e : page) {
        streams.add(e.stream());
        after = e.position();
      }
      if (page.size() < 1000) return streams.size();
    }
  }

  private static Long depth(URI uri) {
    try {
      Http.Resp r = new Http().get(uri, "/v1/queues");
      for (JsonNode q : r.body().path("queues"))
        if (q.path("queue").asText().equals(QUEUE)) return q.path("depth").asLong();
      return 0L;
    } catch (IOException e) {
      return null;
    }
  }

  /** The consumer processes: started, SIGKILLed, restarted when they die; stopped at the end. */
  static final class Consumers implements AutoCloseable {
    final Path dir;
    final int count;
    private final Map<String, String> store;
    private final Path uriFile;
    private final Process[] processes;
    private final AtomicInteger halts = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private Thread monitor;

    private final double haltBetween;

    Consumers(Path parent, Map<String, String> store, int count, double haltBetween)
        throws IOException {
      this.haltBetween = haltBetween;
      this.dir = parent.resolve("consumers");
      Files.createDirectories(dir);
      this.store = store;
      this.count = count;
      this.uriFile = dir.resolve("server-uri");
      this.processes = new Process[count];
      Cleanup.register(this);
    }

    /** Tells the consumers where the server listens now. */
    void publish(URI uri) throws IOException {
      Path tmp = dir.resolve("server-uri.tmp");
      Files.writeString(tmp, uri.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, uriFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void startAll() throws IOException {
      for (int i = 0; i < count; i++) start(i);
      monitor = Thread.ofPlatform().name("consumer-monitor").daemon().start(this::watch);
    }

    private synchronized void start(int i) throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      ProcessBuilder pb =
          new ProcessBuilder(
              java,
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Xmx256m",
              "--enable-native-access=ALL-UNNAMED",
              "-cp",
              System.getProperty("java.class.path"),
              OutboxConsumer.class.getName(),
              uriFile.toString(),
              QUEUE,
              "3",
              String.valueOf(haltBetween));
      pb.environment().putAll(store);
      pb.environment().put("FLOWSTORE_CACHE", "none");
      pb.redirectErrorStream(true);
      pb.redirectOutput(
          ProcessBuilder.Redirect.appendTo(dir.resolve("consumer-" + i + ".log").toFile()));
      processes[i] = pb.start();
      started.incrementAndGet();
    }

    /** Restarts a consumer that exited by itself (a halt between effect and ack). */
    private void watch() {
      while (!closing.get()) {
        for (int i = 0; i < count; i++) {
          // why: under the lock, so a consumer that killOne just replaced is never restarted twice
          synchronized (this) {
            Process p = processes[i];
            if (p == null || p.isAlive() || closing.get()) continue;
            if (p.exitValue() == OutboxConsumer.HALT_EXIT) halts.incrementAndGet();
            else
              System.err.println(
                  "chaos: consumer " + i + " exited " + p.exitValue() + " (see " + dir + ")");
            try {
              start(i);
            } catch (IOException e) {
              System.err.println("chaos: cannot restart consumer " + i + ": " + e);
            }
          }
        }
        QueueWorkload.pause(100);
      }
    }

    /** SIGKILL one consumer at random and start a new one in its place. */
    void killOne() throws Exception {
      int i = ThreadLocalRandom.current().nextInt(count);
      synchronized (this) {
        Process p = processes[i];
        p.destroyForcibly();
        p.waitFor();
        start(i);
      }
    }

    int halts() {
      return halts.get();
    }

    /** Lines "applied n" and "seen n" the consumers printed: deliveries applied / skipped. */
    int[] deliveries() throws IOException {
      int applied = 0, seen = 0;
      for (int i = 0; i < count; i++) {
        Path log = dir.resolve("consumer-" + i + ".log");
        if (!Files.exists(log)) continue;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          if (line.startsWith("applied ")) applied++;
          else if (line.startsWith("seen ")) seen++;
        }
      }
      return new int[] {applied, seen};
    }

    @Override
    public void close() throws InterruptedException {
      if (!closing.compareAndSet(false, true)) return;
      if (monitor != null) monitor.join();
      for (Process p : processes)
        if (p != null && p.isAlive()) {
          p.destroyForcibly();
          p.waitFor();
        }
    }
  }
}
