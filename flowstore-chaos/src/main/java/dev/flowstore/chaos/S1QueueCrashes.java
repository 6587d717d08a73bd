package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 1, the queue under crashes: producers and several workers enqueue, lease and ack over
 * HTTP while {@code flowstore serve} is SIGKILLed and restarted every few seconds and its database
 * (a private PostgreSQL, {@code pg_ctl stop -m immediate}; a private Redis with {@code appendfsync
 * always}, SIGKILL) is crashed and restarted; then {@link QueueCheck}. On SQLite, PostgreSQL, and
 * Redis (the PostgreSQL store with {@code FLOWSTORE_QUEUE_BACKEND=redis}).
 */
final class S1QueueCrashes implements Scenario {
  static final String NAME = "queue under crashes";

  @Override
  public int number() {
    return 1;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    List<Figure> figures = new ArrayList<>();
    for (String variant : only(List.of("sqlite", "postgres", "redis")))
      figures.add(runVariant(settings, variant));
    return figures;
  }

  static QueueWorkload.Options options(ChaosSettings s, String queue, int producers, int workers) {
    return new QueueWorkload.Options(
        queue,
        s.pick(500, 10_000, 100_000),
        s.pick(25, 50, 100),
        producers,
        workers,
        10,
        s.pick(2, 3, 5),
        0.02,
        0.01,
        // why: a key whose run died with its server stays in progress for a minute; waiting longer
        // than a few seconds only stalls the producer
        2_000,
        s.pick(120_000, 180_000, 900_000),
        s.pick(8_000, 15_000, 300_000));
  }

  /**
   * {@code variants}, or those of them named in CHAOS_VARIANTS (comma-separated), to re-run one
   * variant while chasing a failure: {@code CHAOS_VARIANTS=postgres ./chaos --quick --scenarios 1}.
   */
  static List<String> only(List<String> variants) {
    String wanted = System.getenv("CHAOS_VARIANTS");
    if (wanted == null || wanted.isBlank()) return variants;
    List<String> names = List.of(wanted.split(",")).stream().map(String::trim).toList();
    return variants.stream().filter(names::contains).toList();
  }

  /** The environment every scenario's servers get, on top of the backend's keys. */
  static Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSTORE_CACHE", "none");
    env.put("FLOWSTORE_HTTP_HOST", "127.0.0.1");
    // why: C1 only and the serial collector shorten a restart on a busy 2-core machine by about a
    // third; neither changes what the server does
    env.put(
        "FLOWSTORE_JAVA_OPTS",
        System.getenv()
            .getOrDefault(
                "CHAOS_SERVER_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m"));
    return env;
  }

  Figure runVariant(ChaosSettings settings, String variant) throws Exception {
    Path dir = settings.workDir().resolve("s1-" + variant);
    Files.createDirectories(dir);
    Map<String, String> env = baseEnv();
    PrivateServers.Postgres pg = null;
    PrivateServers.Redis redis = null;
    try {
      switch (variant) {
        case "sqlite" -> {
          env.put("FLOWSTORE_STORE_BACKEND", "sqlite");
          env.put("FLOWSTORE_QUEUE_BACKEND", "sqlite");
          env.put("FLOWSTORE_DATA_DIR", dir.resolve("data").toString());
        }
        case "postgres" -> {
          pg = PrivateServers.Postgres.start(dir, "postgres");
          env.put("FLOWSTORE_STORE_BACKEND", "postgres");
          env.put("FLOWSTORE_QUEUE_BACKEND", "postgres");
          env.put("POSTGRES_DSN", pg.dsn());
        }
        case "redis" -> {
          pg = PrivateServers.Postgres.start(dir, "postgres");
          redis = PrivateServers.Redis.start(dir, "redis");
          env.put("FLOWSTORE_STORE_BACKEND", "postgres");
          env.put("FLOWSTORE_QUEUE_BACKEND", "redis");
          env.put("POSTGRES_DSN", pg.dsn());
          env.put("REDIS_DSN", redis.dsn());
          env.put("FLOWSTORE_ENV", "chaos");
        }
        default -> throw new IllegalArgumentException(variant);
      }
      QueueWorkload.Options o = options(settings, "chaos", 2, 4);
      try (Servers servers = new Servers(dir, env, 1)) {
        servers.startAll();
        Faults faults = Faults.forMode(settings);
        faults.add("SIGKILL of the server", 3, () -> servers.restart(0));
        PrivateServers.Postgres fpg = pg;
        PrivateServers.Redis fredis = redis;
        if (variant.equals("postgres")) faults.add("PostgreSQL crash restarts", 1, fpg::restart);
        if (variant.equals("redis")) faults.add("Redis SIGKILL restarts", 1, fredis::restart);
        return drive("1 " + NAME, variant, o, servers, faults, servers.size() + " server");
      }
    } finally {
      if (redis != null) redis.close();
      if (pg != null) pg.close();
    }
  }

  /** Runs the workload under the faults, drains, checks; one figure. Shared with scenario 2. */
  static Figure drive(
      String scenario,
      String variant,
      QueueWorkload.Options o,
      Servers servers,
      Faults faults,
      String what)
      throws Exception {
    long t0 = System.nanoTime();
    QueueWorkload w = new QueueWorkload(o, servers);
    w.start();
    faults.start();
    w.awaitProducers();
    faults.stopAndJoin();
    w.drain();
    Map<String, JsonNode> jobs = w.finalJobs(w.jobIds());
    QueueCheck c = QueueCheck.check(w, jobs);
    double seconds = (System.nanoTime() - t0) / 1e9;
    String result = c.summary();
    boolean ok = c.ok() && w.drained && w.harnessErrors.isEmpty() && w.rejectedEnqueues.get() == 0;
    if (!w.drained) result = "queue not drained in " + o.drainTimeoutMs() / 1000 + " s; " + result;
    if (!w.harnessErrors.isEmpty())
      result += "; harness errors " + w.harnessErrors.size() + ", e.g. " + w.harnessErrors.peek();
    if (!ok) result += " (server logs: " + servers.logs() + ")";
    return new Figure(
        scenario,
        variant,
        String.format(
            "%d jobs, %d producers, %d workers, %s, visibility %d s, %.0f s",
            o.jobs(),
            o.producers(),
            o.workers(),
            what + (servers.size() > 1 ? "s" : ""),
            o.visibilityS(),
            seconds),
        faults.describe(),
        result,
        ok);
  }
}
