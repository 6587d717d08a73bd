package dev.flowstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.Lease;
import dev.flowstore.Queue;
import dev.flowstore.server.FlowstoreServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Row 6: appends and lease+ack through the HTTP server (in-process, free port, java.net.http
 * client) against the same calls made in-process, at {@link #CLIENTS} concurrent callers,
 * PostgreSQL.
 */
final class HttpRows {
  static final int CLIENTS = 64;
  static final int POOL = 16;

  private final Env env;
  private final Settings s;

  HttpRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row6(Consumer<Row> out) throws Exception {
    String schema = Env.newName("bench_fs");
    try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, POOL, Map.of()));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0);
        var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(executor)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI base = server.uri();
      EventStore events = fs.events(AppendRows.TENANT);
      ObjectNode payload = Env.payload();
      String appendBody =
          "{\"events\":[{\"type\":\"order.placed\",\"payload\":" + Env.PAYLOAD_TEXT + "}]}";

      Measure.Result inproc =
          Measure.throughput(
              s,
              CLIENTS,
              w -> {
                events.append(
                    "inproc-" + w,
                    ExpectedVersion.ANY,
                    List.of(EventData.of("order.placed", payload)));
                return 1;
              });
      Measure.Result overHttp =
          Measure.throughput(
              s,
              CLIENTS,
              w -> {
                post(http, base.resolve("/v1/streams/http-" + w + "/events"), appendBody, 201);
                return 1;
              });
      out.accept(
          Row.throughput(
              "6",
              "append 1 event/call, " + CLIENTS + " clients: HTTP vs in-process",
              overHttp.perSecond(),
              inproc.perSecond(),
              "ev/s"));
      out.accept(latencyRow("append", overHttp, inproc));

      Queue q = fs.queue(AppendRows.TENANT);
      int jobs = s.httpJobs();
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
      String leaseBody = "{\"max\":1,\"visibility_timeout_s\":300}";
      Measure.Result leaseHttp =
          Measure.throughput(
              s,
              CLIENTS,
              w -> {
                JsonNode leased =
                    post(http, base.resolve("/v1/queues/http/leases"), leaseBody, 200);
                JsonNode list = leased.get("leases");
                if (list.isEmpty()) return 0;
                JsonNode job = list.get(0);
                post(
                    http,
                    base.resolve("/v1/jobs/" + job.get("job_id").asText() + "/ack"),
                    "{\"lease_token\":" + job.get("lease_token").asLong() + "}",
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
      out.accept(
          Row.throughput(
              "6",
              "lease 1 + ack, " + CLIENTS + " clients: HTTP vs in-process",
              leaseHttp.perSecond(),
              leaseInproc.perSecond(),
              "jobs/s"));
      out.accept(latencyRow("lease+ack", leaseHttp, leaseInproc));
    } finally {
      env.dropSchema(schema);
    }
  }

  private static Row latencyRow(String what, Measure.Result http, Measure.Result inproc) {
    return new Row(
        "6",
        what + " latency p50 / p99, " + CLIENTS + " clients: HTTP vs in-process",
        String.format(Locale.ROOT, "%.1f / %.1f ms", http.p50Ms(), http.p99Ms()),
        String.format(Locale.ROOT, "%.1f / %.1f ms", inproc.p50Ms(), inproc.p99Ms()),
        "p99 " + Row.ratio(inproc.p99Ms() / http.p99Ms()));
  }

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
}
