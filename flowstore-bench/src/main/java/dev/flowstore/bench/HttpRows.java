package dev.flowstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.Lease;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.server.FlowstoreServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Row 6: appends and lease+ack through the HTTP server (in-process, free port) against the same
 * calls made in-process, at {@link #CLIENTS} concurrent callers, PostgreSQL.
 *
 * <p>Like with like: both sides make the same calls from {@link #CLIENTS} platform threads and
 * write the same rows (the server adds a trace id to each event's metadata, so the in-process side
 * does too), after a warm-up that lasts until the JIT has settled ({@link #warmUp}: the HTTP path
 * is far more code than the in-process one, and a 1 s warm-up measured its compilation). Appends
 * are also compared with in-process calls on virtual threads, the server's thread model: on a busy
 * machine 64 platform threads get a larger share of the CPU than the server's 2 carrier threads.
 * The client is {@link KeepAlive}, a minimal blocking HTTP/1.1 client with one keep-alive
 * connection per thread: it shares the 2 cores with the server, and java.net.http costs more CPU
 * per request than the whole server path (docs/benchmarks.md), so with it the row measured mostly
 * the client.
 */
final class HttpRows {
  static final int CLIENTS = 64;
  static final int POOL = 16;

  /** The longest warm-up of one compared path, in multiples of the settings' warm-up. */
  static final int MAX_WARM_UP_FACTOR = 30;

  /** JIT compilation time per second below which the warm-up counts as settled. */
  static final long SETTLED_COMPILE_MS = 100;

  /** Jobs enqueued per side for lease+ack, in multiples of {@link Settings#httpJobs}. */
  static final int JOBS_FACTOR = 3;

  private final Env env;
  private final Settings s;

  HttpRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row6(Consumer<Row> out) throws Exception {
    String schema = Env.newName("bench_fs");
    KeepAlive[] clients = new KeepAlive[CLIENTS];
    try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, POOL, Map.of()));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CLIENTS; i++)
        clients[i] = new KeepAlive(server.uri(), AppendRows.TENANT.value());
      EventStore events = fs.events(AppendRows.TENANT);
      ObjectNode payload = Env.payload();
      byte[] appendBody =
          ("{\"events\":[{\"type\":\"order.placed\",\"payload\":" + Env.PAYLOAD_TEXT + "}]}")
              .getBytes(StandardCharsets.UTF_8);

      // why: the server adds {"trace_id": ...} to every event it appends; the in-process side
      // stores the same metadata, so both write the same rows
      Measure.Op inprocAppend =
          w -> {
            events.append(
                "inproc-" + w,
                ExpectedVersion.ANY,
                List.of(new EventData(null, "order.placed", payload, traceMetadata())));
            return 1;
          };
      // why: the server runs each request on a new virtual thread; this is the same append on the
      // server's thread model (a caller blocked in get(), like an HTTP client on its socket)
      Measure.Op inprocVirtual = w -> virtual.submit(() -> inprocAppend.run(w)).get();
      Measure.Op httpAppend =
          w -> {
            clients[w].post("/v1/streams/http-" + w + "/events", appendBody, 201);
            return 1;
          };
      // why: each path is measured right after its own warm-up; measured after the others, the
      // HTTP path was still being compiled in its windows
      Measure.Result inproc = warmThenMeasure("in-process append", inprocAppend);
      Measure.Result inprocVt = warmThenMeasure("in-process append (virtual)", inprocVirtual);
      Measure.Result overHttp = warmThenMeasure("HTTP append", httpAppend);
      out.accept(
          Row.throughput(
              "6",
              "append 1 event/call, " + CLIENTS + " clients: HTTP vs in-process",
              overHttp.perSecond(),
              inproc.perSecond(),
              "ev/s"));
      out.accept(latencyRow("append", overHttp, inproc));
      out.accept(
          Row.throughput(
              "6",
              "append 1 event/call, " + CLIENTS + " clients: HTTP vs in-process on virtual threads",
              overHttp.perSecond(),
              inprocVt.perSecond(),
              "ev/s"));
      out.accept(latencyRow("append (virtual threads)", overHttp, inprocVt));

      Queue q = fs.queue(AppendRows.TENANT);
      int jobs = s.httpJobs() * JOBS_FACTOR;
      QueueRows.enqueueFlowstore(q, "inproc", jobs);
      QueueRows.enqueueFlowstore(q, "http", jobs);
      Measure.Result leaseInproc =
          Measure.throughput(
              s,
              CLIENTS,
              w -> {
                List<Lease> l = q.lease("inproc", 1, QueueRows.VISIBILITY);
                if (l.isEmpty()) return 0;
                q.ack(l.get(0).jobId(), l.get(0).token());
                return 1;
              });
      byte[] leaseBody =
          "{\"max\":1,\"visibility_timeout_s\":300}".getBytes(StandardCharsets.UTF_8);
      Measure.Result leaseHttp =
          Measure.throughput(
              s,
              CLIENTS,
              w -> {
                JsonNode leased = clients[w].post("/v1/queues/http/leases", leaseBody, 200);
                JsonNode list = leased.get("leases");
                if (list.isEmpty()) return 0;
                JsonNode job = list.get(0);
                clients[w].post(
                    "/v1/jobs/" + job.get("job_id").asText() + "/ack",
                    ("{\"lease_token\":" + job.get("lease_token").asLong() + "}")
                        .getBytes(StandardCharsets.UTF_8),
                    200);
                return 1;
              });
      if (leaseInproc.calls() == 0 || leaseHttp.calls() == 0)
        throw new IllegalStateException(
            "row 6: no lease in the measured windows (in-process "
                + leaseInproc.calls()
                + ", HTTP "
                + leaseHttp.calls()
                + " calls): the queues of "
                + jobs
                + " jobs ran dry");
      String dry =
          ranDry(q, "inproc") || ranDry(q, "http") ? " (a queue ran dry: lower bound)" : "";
      out.accept(
          Row.throughput(
              "6",
              "lease 1 + ack, " + CLIENTS + " clients: HTTP vs in-process" + dry,
              leaseHttp.perSecond(),
              leaseInproc.perSecond(),
              "jobs/s"));
      out.accept(latencyRow("lease+ack", leaseHttp, leaseInproc));
    } finally {
      for (KeepAlive c : clients) if (c != null) c.close();
      env.dropSchema(schema);
    }
  }

  private static ObjectNode traceMetadata() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return Env.JSON
        .createObjectNode()
        .put("trace_id", hex.toHexDigits(r.nextLong()) + hex.toHexDigits(r.nextLong()));
  }

  private Measure.Result warmThenMeasure(String what, Measure.Op op) {
    warmUp(what, op);
    return Measure.throughput(s, CLIENTS, op);
  }

  /**
   * Runs {@code op} from {@link #CLIENTS} threads, unmeasured, until the JIT has settled: at least
   * the settings' warm-up, then until compilation takes under {@link #SETTLED_COMPILE_MS} per
   * second for two seconds running, at most {@link #MAX_WARM_UP_FACTOR} warm-ups. why: the HTTP
   * path is thousands of methods (Jetty, Javalin, Jackson, the JDK's sockets), whose C2 compilation
   * took over half a minute of CPU on 2 busy cores; measured before that, the row measured the
   * compiler.
   */
  private void warmUp(String what, Measure.Op op) {
    long t0 = System.nanoTime();
    long min = t0 + s.warmup().toNanos();
    long max = t0 + s.warmup().multipliedBy(MAX_WARM_UP_FACTOR).toNanos();
    AtomicBoolean stop = new AtomicBoolean();
    Thread judge =
        Thread.ofPlatform()
            .name("bench-warm-up")
            .start(
                () -> {
                  CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
                  long last = jit.getTotalCompilationTime();
                  int quiet = 0;
                  while (!stop.get() && System.nanoTime() < max) {
                    Measure.sleep(1000);
                    long now = jit.getTotalCompilationTime();
                    quiet = now - last < SETTLED_COMPILE_MS ? quiet + 1 : 0;
                    last = now;
                    if (quiet >= 2 && System.nanoTime() >= min) break;
                  }
                  stop.set(true);
                });
    try {
      Measure.parallel(
          CLIENTS,
          w -> {
            while (!stop.get()) op.run(w);
            return 0;
          });
    } finally {
      stop.set(true);
      Measure.join(judge);
    }
    System.err.printf(
        Locale.ROOT, "bench: [6] %s warmed up for %.0f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  private static boolean ranDry(Queue q, String queue) {
    return q.stats().stream().noneMatch(st -> st.queue().equals(queue) && ready(st) > 0);
  }

  private static long ready(QueueStats st) {
    return st.ready() + st.delayed();
  }

  private static Row latencyRow(String what, Measure.Result http, Measure.Result inproc) {
    return new Row(
        "6",
        what + " latency p50 / p99, " + CLIENTS + " clients: HTTP vs in-process",
        String.format(Locale.ROOT, "%.1f / %.1f ms", http.p50Ms(), http.p99Ms()),
        String.format(Locale.ROOT, "%.1f / %.1f ms", inproc.p50Ms(), inproc.p99Ms()),
        "p99 " + Row.ratio(inproc.p99Ms() / http.p99Ms()));
  }

  /** One POST through java.net.http (used by other rows that drive a server). */
  static JsonNode post(HttpClient http, URI uri, String body, int expected) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("X-Tenant-Id", AppendRows.TENANT.value())
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != expected)
      throw new IllegalStateException(
          "POST " + uri + " -> " + res.statusCode() + ": " + res.body());
    return Env.JSON.readTree(res.body());
  }

  /**
   * A minimal blocking HTTP/1.1 client on one keep-alive connection, for one thread at a time:
   * writes a POST, reads the status line, headers and a Content-Length or chunked body. It reopens
   * the connection when the server closes it ({@code Connection: close}).
   */
  static final class KeepAlive implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;

    private final String host;
    private final int port;
    private final String tenant;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAlive(URI base, String tenant) {
      this.host = base.getHost();
      this.port = base.getPort();
      this.tenant = tenant;
    }

    /** POSTs {@code body} (JSON) to {@code path}; the response's JSON, or throws. */
    JsonNode post(String path, byte[] body, int expected) throws IOException {
      return exchange("POST", path, body, expected);
    }

    /** GETs {@code path}; the response's JSON, or throws. */
    JsonNode get(String path, int expected) throws IOException {
      return exchange("GET", path, null, expected);
    }

    private JsonNode exchange(String method, String path, byte[] body, int expected)
        throws IOException {
      if (socket == null) open();
      if (body == null) body = new byte[0];
      byte[] head =
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + ":"
                  + port
                  + (method.equals("GET") ? "" : "\r\nContent-Type: application/json")
                  + "\r\nX-Tenant-Id: "
                  + tenant
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1);
      byte[] request = Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 ") || status.length() < 12)
        throw new IOException(method + " " + path + ": not an HTTP/1.1 status line: " + status);
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (colon < 0) continue;
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
        else if (name.equalsIgnoreCase("Transfer-Encoding"))
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        else if (name.equalsIgnoreCase("Connection"))
          close = value.toLowerCase(Locale.ROOT).contains("close");
      }
      byte[] response = chunked ? chunks() : length >= 0 ? in.readNBytes((int) length) : rest();
      if (close) close();
      if (code != expected)
        throw new IllegalStateException(
            method
                + " "
                + path
                + " -> "
                + code
                + ": "
                + new String(response, StandardCharsets.UTF_8));
      return Env.JSON.readTree(response);
    }

    private void open() throws IOException {
      socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      out = socket.getOutputStream();
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) throw new EOFException("the server closed the connection");
        if (c != '\r') sb.append((char) c);
      }
      return sb.toString();
    }

    private byte[] chunks() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semi = size.indexOf(';');
        long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          String trailer;
          do trailer = line();
          while (!trailer.isEmpty());
          return body.toByteArray();
        }
        body.write(in.readNBytes((int) n));
        line();
      }
    }

    private byte[] rest() throws IOException {
      byte[] all = in.readAllBytes();
      close();
      return all;
    }

    @Override
    public void close() {
      if (socket == null) return;
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a benchmark connection: nothing to do
      } finally {
        socket = null;
      }
    }
  }
}
