package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.chaos.S8Mutations.Request;
import dev.flowstore.chaos.S8Operations.Operation;
import dev.flowstore.testkit.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scenario 8, HTTP fuzz: requests generated from openapi.yaml — a valid-looking baseline per
 * operation, then one mutation each (required fields dropped, wrong types, huge strings, NUL,
 * invalid UTF-8, deep nesting, bad JSON, wrong content type, bad tenants, odd path and query
 * values) — against the packaged server ({@link ServerProcess}). Checks: no answer >= 500, the
 * server alive and ready afterwards, and nothing half-written: the feed's events well-formed with
 * dense positions and stream versions, every list answers well-formed JSON, each session's version
 * matches its event stream, and the audit chain verifies. See {@link S8Consistency}.
 */
final class S8HttpFuzz implements Scenario {
  static final List<String> TENANTS = List.of("fz", "fz2");
  private static final int THREADS = 4;
  private long budgetNanos;

  @Override
  public int number() {
    return 8;
  }

  @Override
  public String name() {
    return "HTTP fuzz";
  }

  /** An answer >= 500 (or none), for the report. */
  record Bad(
      int status,
      String method,
      String target,
      String body,
      String traceId,
      String answer,
      String mutation) {
    @Override
    public String toString() {
      return String.format(
          "%s %s %s [%s] body=%s trace=%s -> %s",
          status == 0 ? "no answer" : status, method, target, mutation, body, traceId, answer);
    }
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    S8Operations spec = S8Operations.load();
    int requests = settings.pick(2_000, 10_000, 100_000); // per variant (quick: 20k over both)
    // why: a loaded 2-core machine answers ~50 requests/s, an idle one ~1000; the fuzz stops at its
    // time budget rather than overrunning ./chaos --quick (the figure says how many were sent)
    budgetNanos = settings.pick(30, 60, 3600) * 1_000_000_000L;
    List<Figure> out = new ArrayList<>();
    out.add(fuzz("sqlite", Map.of(), settings, spec, requests));
    if (settings.mode() != ChaosSettings.Mode.CI) {
      String schema = ChaosStores.schema("chaos_s8_");
      try {
        out.add(
            fuzz(
                "postgres",
                Map.of(
                    "FLOWSTORE_STORE_BACKEND",
                    "postgres",
                    "POSTGRES_DSN",
                    settings.postgresDsn(),
                    "POSTGRES_SCHEMA",
                    schema),
                settings,
                spec,
                requests));
      } finally {
        ChaosStores.dropSchema(settings.postgresDsn(), schema);
      }
    }
    return out;
  }

  private Figure fuzz(
      String variant, Map<String, String> env, ChaosSettings settings, S8Operations spec, int n)
      throws Exception {
    Path dir = Files.createTempDirectory(settings.workDir(), "s8-" + variant + "-");
    Map<String, LongAdder> byClass = new TreeMap<>();
    for (String c : List.of("2xx", "3xx", "4xx", "5xx", "no answer"))
      byClass.put(c, new LongAdder());
    Map<String, LongAdder> byMutation = new ConcurrentHashMap<>();
    LongAdder errorsWithoutCode = new LongAdder();
    List<Bad> bad = Collections.synchronizedList(new ArrayList<>());
    List<String> codeless = Collections.synchronizedList(new ArrayList<>());
    S8Mutations gen = new S8Mutations(spec);
    List<Operation> ops = spec.operations;
    long t0;
    double seconds;
    int total;
    S8Consistency.Report report;
    boolean alive;
    String logErrors;
    try (ServerProcess server = ServerProcess.start(dir, env)) {
      seed(server, gen, ops);
      AtomicInteger next = new AtomicInteger();
      AtomicInteger sent = new AtomicInteger();
      t0 = System.nanoTime();
      long deadline = t0 + budgetNanos;
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        long seed = 8_000L + i;
        threads.add(
            Thread.ofPlatform()
                .name("s8-fuzz-" + i)
                .start(
                    () -> {
                      Random rnd = new Random(seed);
                      try (S8RawHttp http = new S8RawHttp(server.uri())) {
                        for (int k;
                            (k = next.getAndIncrement()) < n && System.nanoTime() < deadline; ) {
                          sent.incrementAndGet();
                          Operation op = ops.get(k % ops.size());
                          String tenant = TENANTS.get(rnd.nextInt(5) == 0 ? 1 : 0);
                          Request req = gen.mutate(op, tenant, rnd);
                          S8RawHttp.Response r =
                              http.send(req.method(), req.target(), req.headers(), req.body());
                          String cls = r.status() == 0 ? "no answer" : (r.status() / 100) + "xx";
                          byClass.get(cls).increment();
                          if (r.status() >= 500 || r.status() == 0) {
                            byMutation
                                .computeIfAbsent(req.mutation(), x -> new LongAdder())
                                .increment();
                            bad.add(bad(req, r));
                          } else if (r.status() >= 200 && r.status() < 300) {
                            learn(gen, r);
                          } else if (r.status() >= 400 && !hasErrorCode(r)) {
                            errorsWithoutCode.increment();
                            if (codeless.size() < 3)
                              codeless.add(
                                  r.status()
                                      + " "
                                      + excerpt(req.target(), 80)
                                      + " -> "
                                      + excerpt(r.body(), 120));
                          }
                        }
                      }
                    }));
      }
      for (Thread t : threads) t.join();
      seconds = (System.nanoTime() - t0) / 1e9;
      total = sent.get();
      alive = server.isAlive() && S8Consistency.ready(server.uri());
      report = alive ? S8Consistency.check(server.uri(), spec, TENANTS) : null;
      logErrors = S8Consistency.logErrors(server.log());
    }
    if (!bad.isEmpty()) {
      Path file = settings.workDir().resolve("s8-" + variant + "-5xx.txt");
      List<String> lines = new ArrayList<>();
      synchronized (bad) {
        for (Bad b : bad) lines.add(b.toString());
      }
      Files.write(file, lines, StandardCharsets.UTF_8);
      System.err.println(
          "chaos: scenario 8 ("
              + variant
              + "): "
              + bad.size()
              + " answers >= 500 or none, listed in "
              + file);
      lines.stream().limit(20).forEach(l -> System.err.println("  " + l));
    }
    long fivexx = byClass.get("5xx").sum() + byClass.get("no answer").sum();
    boolean ok = fivexx == 0 && alive && report != null && report.problems().isEmpty();
    StringBuilder result = new StringBuilder();
    byClass.forEach((c, v) -> result.append(c).append(' ').append(v.sum()).append(", "));
    result.append("error answers without a code ").append(errorsWithoutCode.sum());
    if (!codeless.isEmpty())
      result.append(" (e.g. ").append(String.join(" / ", codeless)).append(')');
    result.append("; server ").append(alive ? "alive and ready" : "**not alive/ready**");
    if (report != null) result.append("; ").append(report.summary());
    result.append("; ").append(logErrors);
    if (!bad.isEmpty()) {
      result
          .append("; >= 500 by mutation ")
          .append(new TreeMap<>(Map.copyOf(byMutation)).toString().replace("=", " "));
      result.append("; first: ");
      synchronized (bad) {
        bad.stream().limit(5).forEach(b -> result.append(b).append(" | "));
      }
    }
    return new Figure(
        "8 " + name(),
        variant + " (packaged server)",
        String.format(
            "%d requests (of %d planned, time budget %d s) over %d operations of openapi.yaml, %d"
                + " connections, %.0f req/s",
            total, n, budgetNanos / 1_000_000_000L, ops.size(), THREADS, total / seconds),
        String.format(
            "%d mutation kinds (%s)",
            S8Mutations.MUTATIONS.length - 1,
            String.join(
                ", ", List.of(S8Mutations.MUTATIONS).subList(1, S8Mutations.MUTATIONS.length))),
        result.toString(),
        ok);
  }

  /** Runs every write operation's baseline a few times per tenant, learning the ids it creates. */
  private static void seed(ServerProcess server, S8Mutations gen, List<Operation> ops) {
    Random rnd = new Random(8);
    try (S8RawHttp http = new S8RawHttp(server.uri())) {
      for (int pass = 0; pass < 2; pass++)
        for (String tenant : TENANTS)
          for (Operation op : ops) {
            if (op.method().equals("GET") && pass == 0) continue;
            for (int i = 0; i < 1; i++) {
              Request r = gen.baseline(op, tenant, rnd, new java.util.HashMap<>());
              S8RawHttp.Response resp = http.send(r.method(), r.target(), r.headers(), r.body());
              if (resp.status() >= 200 && resp.status() < 300) learn(gen, resp);
            }
          }
    }
  }

  private static void learn(S8Mutations gen, S8RawHttp.Response r) {
    String type = r.header("content-type");
    if (type == null || !type.contains("json") || r.body().length > 1_000_000) return;
    try {
      gen.learnFrom(S8Mutations.JSON.readTree(r.body()), 0);
    } catch (Exception e) {
      // not JSON after all: nothing to learn
    }
  }

  private static boolean hasErrorCode(S8RawHttp.Response r) {
    try {
      JsonNode n = S8Mutations.JSON.readTree(r.body());
      return n.path("error").path("code").isTextual()
          && n.path("error").path("message").isTextual();
    } catch (Exception e) {
      return false;
    }
  }

  private static Bad bad(Request req, S8RawHttp.Response r) {
    String trace = r.header("x-trace-id");
    if (trace == null) {
      try {
        trace = S8Mutations.JSON.readTree(r.body()).path("error").path("trace_id").asText(null);
      } catch (Exception e) {
        trace = null;
      }
    }
    return new Bad(
        r.status(),
        req.method(),
        excerpt(req.target(), 160),
        req.body() == null ? "(none)" : excerpt(req.body(), 160),
        trace,
        r.failure() != null ? r.failure() : excerpt(r.body(), 200),
        req.mutation());
  }

  /** The first {@code max} bytes, non-printable ones escaped. */
  static String excerpt(byte[] b, int max) {
    StringBuilder s = new StringBuilder();
    String text = new String(b, 0, Math.min(b.length, max), StandardCharsets.UTF_8);
    for (char c : text.toCharArray()) {
      if (c < 0x20 || c == 0x7f || c == '\ufffd')
        s.append(String.format("\\x%02x", (int) c & 0xff));
      else if (c == '|') s.append("\\|");
      else s.append(c);
    }
    if (b.length > max) s.append("...(").append(b.length).append(" bytes)");
    return s.toString();
  }
}
