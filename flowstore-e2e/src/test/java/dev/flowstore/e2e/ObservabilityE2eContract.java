package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Metrics, traces and logs of {@code ./flowstore serve} as a user starts it (the packaged jar,
 * configuration by environment): every metric of docs/observability.md is scraped from {@code GET
 * /metrics} after doing what moves it; the server exports its spans to an OTLP/HTTP receiver of the
 * test ({@code OTEL_EXPORTER_OTLP_ENDPOINT}) and a W3C {@code traceparent} reaches the spans, the
 * events' metadata and the jobs; {@code FLOWSTORE_LOG_FORMAT=json} makes every log line a JSON
 * object with the request's trace id, tenant and route; the alert rules and the Grafana dashboard
 * name only metrics this server exports. One server per deployment (subclass).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ObservabilityE2eContract {
  static final String TENANT = "acme";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String run =
      Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  Path workDir;
  Map<String, String> env;
  ServerProcess server;
  OtlpReceiver otlp;

  /** The deployment's configuration; {@code dir} is its own. */
  abstract Map<String, String> deployment(Path dir);

  /** Drops what the deployment left outside {@code dir}. */
  void dropDeployment(Map<String, String> env) {}

  /** Its connection pools: name -> most connections. */
  abstract Map<String, Integer> pools();

  /** Whether jobs live in SQL (lease expirations and the ack lane are the SQL queue's). */
  abstract boolean sqlQueue();

  /** Whether the Redis session cache is on. */
  abstract boolean cache();

  /**
   * Metrics the alert rules or the dashboard name that this deployment does not export, each with
   * the configuration that does (checked: they must really be absent here).
   */
  abstract Map<String, String> exportedElsewhere();

  @BeforeAll
  void startServer() throws IOException {
    workDir = Files.createTempDirectory("flowstore-obs-e2e-");
    otlp = new OtlpReceiver();
    env = new HashMap<>(deployment(workDir));
    env.putAll(ApiE2eContract.JVM_OPTIONS);
    env.put("OUTBOX_POLL_INTERVAL_MS", "60000");
    env.put("FLOWSTORE_LOG_FORMAT", "json");
    env.put("FLOWSTORE_LOG_REQUESTS", "true");
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint().toString());
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_BSP_SCHEDULE_DELAY", "100");
    server = ServerProcess.start(workDir.resolve("server"), env);
  }

  @AfterAll
  void stopServer() throws IOException {
    try {
      if (server != null) server.close();
      if (otlp != null) otlp.close();
    } finally {
      if (env != null) dropDeployment(env);
      ApiE2eContract.deleteRecursively(workDir);
    }
  }

  record Answer(int status, String traceId, JsonNode body) {}

  Answer send(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("X-Tenant-Id", TENANT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(),
          r.headers().firstValue("X-Trace-Id").orElse(null),
          r.body().isEmpty() ? null : JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode expect(int status, String method, String path, String body, String... headers) {
    Answer a = send(method, path, body, headers);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(status);
    return a.body();
  }

  Scrape scrape() {
    return Scrape.of(server.uri());
  }

  /** The store's gauges refresh at most every 5 s (StoreGauges.REFRESH). */
  static ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250));
  }

  private String queue(String what) {
    return "obs-" + what + "-" + run;
  }

  @Test
  @Order(1)
  void httpLatencyHistogramPerRouteTemplate() {
    String route = "/v1/sessions/{session_id}";
    double before =
        scrape().sum("http_server_requests_seconds_count", "route", route, "status", "404");
    for (int i = 0; i < 3; i++) expect(404, "GET", "/v1/sessions/" + UUID.randomUUID(), null);
    Scrape after = scrape();
    assertThat(after.sum("http_server_requests_seconds_count", "route", route, "status", "404"))
        .isEqualTo(before + 3);
    assertThat(
            after.sum(
                "http_server_requests_seconds_bucket",
                "route",
                route,
                "status",
                "404",
                "le",
                "+Inf"))
        .isEqualTo(before + 3);
    // a bucket per bound: the latency is a histogram, and ids never become series
    assertThat(
            after.matching("http_server_requests_seconds_bucket", "route", route, "status", "404"))
        .hasSizeGreaterThan(10);
    assertThat(after.toString()).doesNotContain("/v1/sessions/0").doesNotContain("/v1/sessions/1");
  }

  @Test
  @Order(2)
  void queueDepthDlqAndJobTimings() {
    String q = queue("jobs");
    String jobs = "/v1/queues/" + q + "/jobs";
    String leases = "/v1/queues/" + q + "/leases";
    expect(201, "POST", jobs, "{\"job_type\":\"send\"}");
    JsonNode first = expect(200, "POST", leases, "{\"max\":1}").get("leases").get(0);
    expect(
        200,
        "POST",
        "/v1/jobs/" + first.get("job_id").asText() + "/ack",
        "{\"lease_token\":" + first.get("lease_token").asLong() + "}");
    expect(201, "POST", jobs, "{\"job_type\":\"send\",\"max_attempts\":1}");
    JsonNode second = expect(200, "POST", leases, "{\"max\":1}").get("leases").get(0);
    JsonNode nacked =
        expect(
            200,
            "POST",
            "/v1/jobs/" + second.get("job_id").asText() + "/nack",
            "{\"lease_token\":" + second.get("lease_token").asLong() + ",\"error\":\"smtp down\"}");
    assertThat(nacked.get("status").asText()).isEqualTo("failed");
    expect(201, "POST", jobs, "{\"job_type\":\"send\"}");
    expect(201, "POST", jobs, "{\"job_type\":\"send\",\"delay_s\":3600}");

    Scrape s = scrape();
    assertThat(s.sum("flowstore_job_wait_seconds_count", "queue", q)).isEqualTo(2);
    assertThat(s.sum("flowstore_job_wait_seconds_bucket", "queue", q, "le", "+Inf")).isEqualTo(2);
    assertThat(s.sum("flowstore_job_duration_seconds_count", "queue", q, "outcome", "succeeded"))
        .isEqualTo(1);
    assertThat(s.sum("flowstore_job_duration_seconds_count", "queue", q, "outcome", "failed"))
        .isEqualTo(1);
    await()
        .untilAsserted(
            () -> {
              Scrape now = scrape();
              assertThat(now.sum("flowstore_queue_jobs", "queue", q, "state", "ready"))
                  .isEqualTo(1);
              assertThat(now.sum("flowstore_queue_jobs", "queue", q, "state", "delayed"))
                  .isEqualTo(1);
              assertThat(now.sum("flowstore_queue_jobs", "queue", q, "state", "succeeded"))
                  .isEqualTo(1);
              assertThat(now.sum("flowstore_queue_jobs", "queue", q, "state", "failed"))
                  .isEqualTo(1);
              assertThat(now.sum("flowstore_queue_jobs", "queue", q, "state", "leased")).isZero();
              assertThat(now.sum("flowstore_dlq_jobs", "queue", q)).isEqualTo(1);
              assertThat(now.sum("flowstore_tenants")).isGreaterThanOrEqualTo(1);
            });
  }

  @Test
  @Order(3)
  void leaseExpirationsAreCounted() {
    String name = "flowstore_queue_lease_expirations_total";
    if (!sqlQueue()) {
      // the Redis queue reaps in its own scripts: the SQL queue's counter is not exported there
      assertThat(scrape().has(name)).as(name + " on a Redis queue").isFalse();
      return;
    }
    String q = queue("expiry");
    double before = scrape().sum(name);
    expect(201, "POST", "/v1/queues/" + q + "/jobs", "{\"job_type\":\"slow\"}");
    expect(200, "POST", "/v1/queues/" + q + "/leases", "{\"max\":1,\"visibility_timeout_s\":1}");
    // a lease call reaps its queue's expired leases (at most once a second), the sweeper every 5 s
    await()
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              send(
                  "POST", "/v1/queues/" + q + "/leases", "{\"max\":1,\"visibility_timeout_s\":60}");
              assertThat(scrape().sum(name)).isEqualTo(before + 1);
            });
  }

  @Test
  @Order(4)
  void groupCommitBatchSizes() {
    Scrape before = scrape();
    double appends = before.sum("flowstore_group_commit_batch_size_count", "lane", "append");
    double acks = before.sum("flowstore_group_commit_batch_size_count", "lane", "ack");
    String stream = "obs-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++)
      expect(
          201,
          "POST",
          "/v1/streams/" + stream + "/events",
          "{\"expected_version\":\"any\",\"events\":[{\"type\":\"tick\"}]}");
    String q = queue("acks");
    expect(201, "POST", "/v1/queues/" + q + "/jobs", "{\"job_type\":\"a\"}");
    JsonNode lease = expect(200, "POST", "/v1/queues/" + q + "/leases", "{}").get("leases").get(0);
    expect(
        200,
        "POST",
        "/v1/jobs/" + lease.get("job_id").asText() + "/ack",
        "{\"lease_token\":" + lease.get("lease_token").asLong() + "}");
    Scrape after = scrape();
    assertThat(after.sum("flowstore_group_commit_batch_size_count", "lane", "append"))
        .isEqualTo(appends + 3);
    assertThat(after.sum("flowstore_group_commit_batch_size_sum", "lane", "append"))
        .isGreaterThanOrEqualTo(
            before.sum("flowstore_group_commit_batch_size_sum", "lane", "append") + 3);
    // acks of a Redis queue are Redis scripts, not SQL group commits
    assertThat(after.sum("flowstore_group_commit_batch_size_count", "lane", "ack"))
        .isEqualTo(sqlQueue() ? acks + 1 : acks);
  }

  @Test
  @Order(5)
  void connectionPools() {
    Scrape s = scrape();
    pools()
        .forEach(
            (pool, max) -> {
              assertThat(s.sum("flowstore_db_pool_max_connections", "pool", pool))
                  .as(pool)
                  .isEqualTo((double) max);
              double open =
                  s.sum("flowstore_db_pool_connections", "pool", pool, "state", "active")
                      + s.sum("flowstore_db_pool_connections", "pool", pool, "state", "idle");
              assertThat(open).as(pool + " open connections").isBetween(1.0, (double) max);
              assertThat(s.has("flowstore_db_pool_connections", "pool", pool, "state", "pending"))
                  .isTrue();
            });
    assertThat(s.matching("flowstore_db_pool_max_connections")).hasSize(pools().size());
  }

  @Test
  @Order(6)
  void outboxBacklogAndRelayLag() {
    Map<String, String> store = new HashMap<>(env);
    store.remove("FLOWSTORE_QUEUE_BACKEND");
    store.remove("REDIS_DSN");
    store.remove("FLOWSTORE_CACHE");
    store.put("FLOWSTORE_MIGRATE_ON_START", "false");
    try (Flowstore library = Flowstore.open(FlowstoreConfig.fromMap(store))) {
      TenantId tenant = TenantId.of(TENANT);
      ObjectNode payload = JSON.createObjectNode().put("n", 1);
      // one pending (its retry is an hour away, so the relay leaves it) and one failed
      OutboxMessage waiting =
          library.inTransaction(
              tenant, tx -> tx.outbox().add("queue:obs-outbox", payload, null, null));
      assertThat(
              library
                  .outbox(tenant)
                  .markFailed(waiting.messageId(), "broker away", Duration.ofHours(1)))
          .isTrue();
      OutboxMessage given =
          library.inTransaction(
              tenant, tx -> tx.outbox().add("queue:obs-outbox", payload, null, null));
      assertThat(library.outbox(tenant).markFailed(given.messageId(), "broker says no", null))
          .isTrue();
    }
    await()
        .untilAsserted(
            () -> {
              Scrape s = scrape();
              assertThat(s.sum("flowstore_outbox_messages", "state", "pending"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(s.sum("flowstore_outbox_messages", "state", "failed"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(s.sum("flowstore_outbox_oldest_pending_age_seconds")).isPositive();
            });
  }

  @Test
  @Order(7)
  void sessionCacheHitsAndMisses() {
    if (!cache()) {
      assertThat(scrape().has("flowstore_cache_hits_total")).isFalse();
      return;
    }
    String flow = "obs-flow-" + run;
    expect(
        201,
        "POST",
        "/v1/flows",
        "{\"flow_id\":\"" + flow + "\",\"name\":\"f\",\"yaml_content\":\"steps:\\n  - a\\n\"}");
    String id =
        expect(
                201,
                "POST",
                "/v1/sessions",
                "{\"flow_id\":\"" + flow + "\",\"initial_state\":\"draft\"}")
            .get("session_id")
            .asText();
    Scrape before = scrape();
    expect(200, "GET", "/v1/sessions/" + id, null);
    expect(200, "GET", "/v1/sessions/" + id, null);
    Scrape after = scrape();
    assertThat(after.sum("flowstore_cache_misses_total"))
        .isEqualTo(before.sum("flowstore_cache_misses_total") + 1);
    assertThat(after.sum("flowstore_cache_hits_total"))
        .isEqualTo(before.sum("flowstore_cache_hits_total") + 1);
    assertThat(after.has("flowstore_cache_invalidation_failures_total")).isTrue();
  }

  @Test
  @Order(8)
  void traceparentReachesSpansEventsAndJobs() {
    HexFormat hex = HexFormat.of();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String traceId = hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
    String parent = hex.toHexDigits(random.nextLong() | 1);
    String traceparent = "00-" + traceId + "-" + parent + "-01";

    String stream = "obs-traced-" + UUID.randomUUID();
    Answer appended =
        send(
            "POST",
            "/v1/streams/" + stream + "/events",
            "{\"expected_version\":\"no_stream\",\"events\":[{\"type\":\"traced\"}]}",
            "traceparent",
            traceparent);
    assertThat(appended.status()).isEqualTo(201);
    assertThat(appended.traceId()).isEqualTo(traceId);
    JsonNode events = expect(200, "GET", "/v1/streams/" + stream + "/events", null).get("events");
    assertThat(events.get(0).get("metadata").get("trace_id").asText()).isEqualTo(traceId);

    String q = queue("traced");
    String jobId =
        send(
                "POST",
                "/v1/queues/" + q + "/jobs",
                "{\"job_type\":\"t\"}",
                "traceparent",
                traceparent)
            .body()
            .get("job_id")
            .asText();
    assertThat(expect(200, "GET", "/v1/jobs/" + jobId, null).get("trace_id").asText())
        .isEqualTo(traceId);

    // X-Trace-Id, when given, names the trace in flowstore's records; the span still continues the
    // caller's traceparent
    Answer both =
        send(
            "GET",
            "/v1/streams/" + stream + "/events",
            null,
            "traceparent",
            traceparent,
            "X-Trace-Id",
            "mine-1");
    assertThat(both.traceId()).isEqualTo("mine-1");

    await()
        .untilAsserted(
            () -> {
              List<OtlpReceiver.Span> spans = otlp.spans();
              OtlpReceiver.Span http =
                  spans.stream()
                      .filter(
                          s ->
                              s.name().equals("POST /v1/streams/{stream}/events")
                                  && s.traceId().equals(traceId))
                      .findFirst()
                      .orElseThrow(
                          () -> new AssertionError("no server span of the append in " + spans));
              assertThat(http.parentSpanId()).isEqualTo(parent);
              assertThat(http.scope()).isEqualTo("dev.flowstore.server");
              assertThat(spans)
                  .anySatisfy(
                      s -> {
                        assertThat(s.scope()).isEqualTo("dev.flowstore.jdbc");
                        assertThat(s.name()).isEqualTo("flowstore write");
                        assertThat(s.traceId()).isEqualTo(traceId);
                        assertThat(s.parentSpanId()).isEqualTo(http.spanId());
                      });
              assertThat(spans)
                  .anySatisfy(
                      s -> {
                        assertThat(s.name()).isEqualTo("POST /v1/queues/{queue}/jobs");
                        assertThat(s.traceId()).isEqualTo(traceId);
                      });
            });

    // without a traceparent the server starts a trace, and its id is the one flowstore records
    Answer fresh = send("GET", "/v1/streams/" + stream + "/events", null);
    assertThat(fresh.traceId()).matches("[0-9a-f]{32}");
    await()
        .untilAsserted(
            () ->
                assertThat(otlp.spans())
                    .anySatisfy(
                        s -> {
                          assertThat(s.traceId()).isEqualTo(fresh.traceId());
                          assertThat(s.name()).isEqualTo("GET /v1/streams/{stream}/events");
                          assertThat(s.parentSpanId()).isEmpty();
                        }));
  }

  @Test
  @Order(9)
  void jsonLogLinesCarryTraceTenantAndRoute() throws IOException {
    String trace = "obs-log-" + run;
    expect(404, "GET", "/v1/sessions/" + UUID.randomUUID(), null, "X-Trace-Id", trace);
    JsonNode line =
        await()
            .until(
                () ->
                    logLines().stream()
                        .filter(l -> trace.equals(l.path("trace_id").asText(null)))
                        .findFirst()
                        .orElse(null),
                l -> l != null);
    assertThat(line.get("logger").asText()).isEqualTo("dev.flowstore.access");
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("tenant").asText()).isEqualTo(TENANT);
    assertThat(line.get("route").asText()).isEqualTo("/v1/sessions/{session_id}");
    assertThat(line.get("message").asText()).startsWith("GET /v1/sessions/").contains(" 404 ");
    assertThat(java.time.Instant.parse(line.get("timestamp").asText())).isNotNull();
    // the start-up lines too: every line the server wrote is one JSON object
    assertThat(logLines())
        .anySatisfy(l -> assertThat(l.get("message").asText()).contains("listening on"));
  }

  /** Every line of the server's log, each parsed as a JSON object (fails on one that is not). */
  private List<JsonNode> logLines() throws IOException {
    return Files.readAllLines(server.log(), StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .map(
            l -> {
              try {
                JsonNode n = JSON.readTree(l);
                assertThat(n.isObject()).as(l).isTrue();
                assertThat(
                        n.has("timestamp") && n.has("level") && n.has("logger") && n.has("message"))
                    .as(l)
                    .isTrue();
                return n;
              } catch (IOException e) {
                throw new AssertionError("not a JSON log line: " + l, e);
              }
            })
        .toList();
  }

  @Test
  @Order(10)
  void alertRulesAndDashboardNameOnlyExportedMetrics() {
    Set<String> exported = scrape().names();
    Set<String> named = MonitoringAssets.metricNames();
    assertThat(named).contains("flowstore_queue_jobs", "http_server_requests_seconds_bucket");
    for (String metric : named) {
      String elsewhere = exportedElsewhere().get(metric);
      if (elsewhere == null)
        assertThat(exported)
            .as("exported by this deployment, named in docs/monitoring")
            .contains(metric);
      else assertThat(exported).as(metric + " is for " + elsewhere).doesNotContain(metric);
    }
  }
}
