package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.OpenApiDocument;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over real HTTP, in dev mode (loopback, no API keys). Each backend subclasses it and
 * only says how to get a fresh store. Tests share one server and keep apart by unique tenants and
 * streams.
 */
abstract class HttpApiContract extends ServerTestBase {
  static String events(String expected, String... events) {
    return "{\"expected_version\":" + expected + ",\"events\":[" + String.join(",", events) + "]}";
  }

  static String event(String type, String payload) {
    return "{\"type\":\"" + type + "\",\"payload\":" + payload + "}";
  }

  @Test
  void appendThenReadTheStreamAndTheFeed() {
    Http t = tenant(unique("t"));
    Http.Response created =
        t.post(
            "/v1/streams/order-42/events",
            events(
                "\"no_stream\"",
                event("order.placed", "{\"n\":1}"),
                event("order.paid", "{\"amount\":12.50}")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.contentType()).startsWith("application/json");
    JsonNode body = created.json();
    assertThat(body.get("stream").asText()).isEqualTo("order-42");
    assertThat(body.get("next_expected_version").asLong()).isEqualTo(1);
    assertThat(body.get("replayed").asBoolean()).isFalse();
    assertThat(body.get("events")).hasSize(2);
    JsonNode first = body.get("events").get(0);
    assertThat(first.fieldNames())
        .toIterable()
        .containsExactly(
            "event_id",
            "stream",
            "version",
            "position",
            "type",
            "payload",
            "metadata",
            "created_at");
    assertThat(first.get("version").asLong()).isZero();
    assertThat(body.get("events").get(1).get("payload").get("amount").decimalValue())
        .isEqualByComparingTo("12.50");

    t.post("/v1/streams/invoice-7/events", events("\"any\"", event("invoice.sent", "{}")));

    JsonNode stream = t.get("/v1/streams/order-42/events").json();
    assertThat(stream.get("events"))
        .extracting(e -> e.get("type").asText())
        .containsExactly("order.placed", "order.paid");
    assertThat(stream.get("events").get(0).get("event_id")).isEqualTo(first.get("event_id"));
    assertThat(stream.get("next_from_version").isNull()).isTrue();

    JsonNode page = t.get("/v1/streams/order-42/events?limit=1").json();
    assertThat(page.get("events")).hasSize(1);
    assertThat(page.get("next_from_version").asLong()).isEqualTo(1);
    JsonNode backward = t.get("/v1/streams/order-42/events?direction=backward").json();
    assertThat(backward.get("events"))
        .extracting(e -> e.get("version").asLong())
        .containsExactly(1L, 0L);

    JsonNode feed = t.get("/v1/events?after=0&limit=10").json();
    assertThat(feed.get("events"))
        .extracting(e -> e.get("stream").asText())
        .containsExactly("order-42", "order-42", "invoice-7");
    long last = feed.get("events").get(2).get("position").asLong();
    assertThat(feed.get("next_after").asLong()).isEqualTo(last);
    assertThat(t.get("/v1/events?after=" + last).json().get("next_after").asLong()).isEqualTo(last);
    JsonNode orders = t.get("/v1/events?category=order").json();
    assertThat(orders.get("events"))
        .extracting(e -> e.get("stream").asText())
        .containsExactly("order-42", "order-42");
    assertThat(t.get("/v1/streams/nothing-here/events").json().get("events")).isEmpty();
  }

  @Test
  void theFeedLongPollsWithWaitS() throws Exception {
    Http t = tenant(unique("t"));
    t.post("/v1/streams/a-1/events", events("\"any\"", event("first", "{}")));
    long after = t.get("/v1/events").json().get("next_after").asLong();
    java.util.concurrent.CompletableFuture<Http.Response> waiting =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> t.get("/v1/events?wait_s=15&after=" + after));
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofMillis(300))
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> !waiting.isDone());
    long appended = System.nanoTime();
    t.post("/v1/streams/a-1/events", events("\"any\"", event("second", "{}")));
    JsonNode page = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).json();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - appended))
        .isLessThan(java.time.Duration.ofSeconds(5));
    assertThat(page.get("events"))
        .extracting(e -> e.get("type").asText())
        .containsExactly("second");

    long start = System.nanoTime();
    JsonNode empty = t.get("/v1/events?wait_s=1&after=" + (after + 1)).json();
    assertThat(empty.get("events")).isEmpty();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(950));
    assertBad(t.get("/v1/events?wait_s=21"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/events?wait_s=-1"), 400, "INVALID_ARGUMENT");
  }

  @Test
  void aStaleExpectedVersionIsAConflict() {
    Http t = tenant(unique("t"));
    assertThat(t.post("/v1/streams/s-1/events", events("\"no_stream\"", event("a", "{}"))).status())
        .isEqualTo(201);
    Http.Response conflict =
        t.post(
            "/v1/streams/s-1/events",
            events("\"no_stream\"", event("b", "{}")),
            "X-Trace-Id",
            "trace-conflict-1");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.code()).isEqualTo("VERSION_CONFLICT");
    assertThat(conflict.json().get("error").get("trace_id").asText()).isEqualTo("trace-conflict-1");
    assertThat(conflict.traceId()).isEqualTo("trace-conflict-1");
    assertThat(t.post("/v1/streams/s-1/events", events("5", event("b", "{}"))).code())
        .isEqualTo("VERSION_CONFLICT");
    assertThat(t.post("/v1/streams/s-1/events", events("0", event("b", "{}"))).status())
        .isEqualTo(201);
  }

  /** A session's stream is its history: the event API does not write it (chaos scenario 8). */
  @Test
  void aSessionsStreamIsNotAppendedToThroughTheEventApi() {
    Http t = tenant(unique("t"));
    Http.Response r =
        t.post(
            "/v1/streams/session-" + java.util.UUID.randomUUID() + "/events",
            events("\"any\"", event("a", "{}")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("INVALID_ARGUMENT");
    assertThat(t.get("/v1/events").json().get("events")).isEmpty();
  }

  @Test
  void reappendingTheSameEventIdsIsANoOp() {
    Http t = tenant(unique("t"));
    String id = UUID.randomUUID().toString();
    String body =
        events("\"no_stream\"", "{\"type\":\"a\",\"payload\":{},\"event_id\":\"" + id + "\"}");
    Http.Response first = t.post("/v1/streams/idem-1/events", body);
    Http.Response again = t.post("/v1/streams/idem-1/events", body);
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.json().get("replayed").asBoolean()).isTrue();
    assertThat(again.json().get("events").get(0).get("position"))
        .isEqualTo(first.json().get("events").get(0).get("position"));
    assertThat(t.get("/v1/streams/idem-1/events").json().get("events")).hasSize(1);
  }

  @Test
  void theTraceIdIsEchoedAndStored() {
    String tenant = unique("t");
    Http t = tenant(tenant);
    Http.Response r =
        t.post(
            "/v1/streams/traced/events",
            events(
                "\"any\"",
                event("a", "{}"),
                "{\"type\":\"b\",\"metadata\":{\"trace_id\":\"own\",\"source\":\"x\"}}"),
            "X-Trace-Id",
            "req-1:a.b_c");
    assertThat(r.traceId()).isEqualTo("req-1:a.b_c");
    var stored =
        flowstore
            .events(TenantId.of(tenant))
            .readStream("traced", 0, 10, dev.flowstore.Direction.FORWARD);
    assertThat(stored.get(0).metadata().get("trace_id").asText()).isEqualTo("req-1:a.b_c");
    assertThat(stored.get(1).metadata().get("trace_id").asText()).isEqualTo("own");
    assertThat(stored.get(1).metadata().get("source").asText()).isEqualTo("x");

    Http.Response generated = t.get("/v1/streams/traced/events", "X-Trace-Id", "not valid!");
    assertThat(generated.traceId()).matches("[0-9a-f]{32}");
    Http.Response none = http.get("/health/live");
    assertThat(none.traceId()).matches("[0-9a-f]{32}");
    Http.Response error = t.get("/v1/streams/bad$id/events", "X-Trace-Id", "err-7");
    assertThat(error.traceId()).isEqualTo("err-7");
    assertThat(error.json().get("error").get("trace_id").asText()).isEqualTo("err-7");
  }

  @Test
  void badAppendsGetTheirCodeAndWriteNothing() {
    String tenant = unique("t");
    Http t = tenant(tenant);
    String s = "/v1/streams/bad-1/events";
    String big = "\"" + "x".repeat(MAX_PAYLOAD) + "\"";
    assertBad(t.post(s, "{\"events\": [{\"type\":"), 400, "INVALID_JSON");
    assertBad(t.post(s, ""), 400, "INVALID_JSON");
    assertBad(t.post(s, "[1,2]"), 400, "INVALID_JSON");
    assertBad(
        t.post(s, "{\"events\":[{\"type\":\"a\",\"payload\":{\"k\":\"a\\u0000b\"}}]}"),
        400,
        "INVALID_JSON");
    assertBad(
        t.post(s, "{\"events\":[{\"type\":\"a\",\"payload\":{\"a\\u0000\":1}}]}"),
        400,
        "INVALID_JSON");
    assertBad(
        t.post(s, events("\"any\"", event("a", "{\"big\":" + big + "}"))),
        413,
        "PAYLOAD_TOO_LARGE");
    assertBad(
        t.post(
            s, "{\"events\":[" + event("a", "{\"x\":\"" + "y".repeat(200 * 1024) + "\"}") + "]}"),
        413,
        "PAYLOAD_TOO_LARGE");
    assertBad(t.post(s, events("\"any\"", event("a", "[1]"))), 400, "INVALID_JSON");
    assertBad(t.post(s, events("\"any\"")), 400, "INVALID_ARGUMENT");
    assertBad(t.post(s, "{}"), 400, "INVALID_ARGUMENT");
    assertBad(t.post(s, events("\"sometimes\"", event("a", "{}"))), 400, "INVALID_ARGUMENT");
    assertBad(t.post(s, events("-1", event("a", "{}"))), 400, "INVALID_ARGUMENT");
    assertBad(t.post(s, events("1.5", event("a", "{}"))), 400, "INVALID_ARGUMENT");
    assertBad(t.post(s, events("\"any\"", "{\"payload\":{}}")), 400, "INVALID_ARGUMENT");
    assertBad(
        t.post(s, events("\"any\"", "{\"type\":\"\",\"payload\":{}}")), 400, "INVALID_ARGUMENT");
    assertBad(
        t.post(s, events("\"any\"", "{\"type\":\"a\",\"event_id\":\"not-a-uuid\"}")),
        400,
        "INVALID_ID");
    assertBad(t.post(s, events("\"any\"", "{\"type\":\"a\",\"event_id\":42}")), 400, "INVALID_ID");

    Http.Response unknownTop =
        t.post(s, "{\"expectd_version\":\"any\",\"events\":[" + event("a", "{}") + "]}");
    assertBad(unknownTop, 400, "INVALID_ARGUMENT");
    assertThat(unknownTop.json().get("error").get("message").asText()).contains("expectd_version");
    Http.Response unknownEvent = t.post(s, events("\"any\"", "{\"type\":\"a\",\"paylod\":{}}"));
    assertBad(unknownEvent, 400, "INVALID_ARGUMENT");
    assertThat(unknownEvent.json().get("error").get("message").asText())
        .contains("paylod")
        .contains("events[0]");

    // one bad event among good ones: none of them is written
    assertBad(
        t.post(s, events("\"any\"", event("ok", "{}"), event("too-big", "{\"big\":" + big + "}"))),
        413,
        "PAYLOAD_TOO_LARGE");
    assertThat(flowstore.events(TenantId.of(tenant)).streamVersion("bad-1")).isEqualTo(-1);
    assertThat(flowstore.events(TenantId.of(tenant)).readAll(0, 10, null)).isEmpty();
  }

  @Test
  void badIdsTenantsAndQueryParametersGetTheirCode() {
    String tenant = unique("t");
    Http t = tenant(tenant);
    assertBad(
        t.post("/v1/streams/bad$stream/events", events("\"any\"", event("a", "{}"))),
        400,
        "INVALID_ID");
    assertBad(
        t.post("/v1/streams/-leading-dash/events", events("\"any\"", event("a", "{}"))),
        400,
        "INVALID_ID");
    assertBad(t.get("/v1/streams/" + "x".repeat(201) + "/events"), 400, "INVALID_ID");
    assertBad(
        http.with("X-Tenant-Id", "Not A Tenant")
            .post("/v1/streams/ok/events", events("\"any\"", event("a", "{}"))),
        400,
        "INVALID_TENANT");
    assertBad(http.with("X-Tenant-Id", "UPPER").get("/v1/events"), 400, "INVALID_TENANT");
    assertBad(t.get("/v1/streams/ok/events?limit=-1"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/streams/ok/events?limit=0"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/streams/ok/events?limit=1001"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/streams/ok/events?limit=ten"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/streams/ok/events?from_version=-1"), 400, "INVALID_ARGUMENT");
    assertBad(
        t.get("/v1/streams/ok/events?from_version=99999999999999999999"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/streams/ok/events?direction=sideways"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/events?after=-5"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/events?after=x"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/events?limit=-1"), 400, "INVALID_ARGUMENT");
    assertBad(t.get("/v1/events?category=order-1"), 400, "INVALID_ARGUMENT");
    assertThat(flowstore.events(TenantId.of(tenant)).readAll(0, 10, null)).isEmpty();
  }

  @Test
  void unknownRoutesAndMethodsAreJsonErrors() {
    assertBad(http.get("/v1/nothing"), 404, "NOT_FOUND");
    assertBad(http.get("/favicon.ico"), 404, "NOT_FOUND");
    Http.Response wrongMethod = http.send("DELETE", "/v1/streams/s/events", (String) null);
    assertBad(wrongMethod, 405, "METHOD_NOT_ALLOWED");
    assertBad(http.send("PUT", "/health/live", "{}"), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  void tenantsCannotSeeOrTouchEachOthersStreams() {
    String a = unique("a");
    String b = unique("b");
    assertThat(
            tenant(a)
                .post(
                    "/v1/streams/shared-1/events",
                    events("\"no_stream\"", event("of.a", "{\"owner\":\"a\"}")))
                .status())
        .isEqualTo(201);
    assertThat(tenant(b).get("/v1/streams/shared-1/events").json().get("events")).isEmpty();
    assertThat(tenant(b).get("/v1/events").json().get("events")).isEmpty();
    // b's "no_stream" succeeds: b has no such stream, whatever a has
    Http.Response own =
        tenant(b).post("/v1/streams/shared-1/events", events("\"no_stream\"", event("of.b", "{}")));
    assertThat(own.status()).isEqualTo(201);
    assertThat(own.json().get("events").get(0).get("version").asLong()).isZero();
    JsonNode aStream = tenant(a).get("/v1/streams/shared-1/events").json().get("events");
    assertThat(aStream).extracting(e -> e.get("type").asText()).containsExactly("of.a");
    // an event id of a's, replayed by b, is b's own business: no cross-tenant collision or leak
    String id = aStream.get(0).get("event_id").asText();
    Http.Response reuse =
        tenant(b)
            .post(
                "/v1/streams/other-1/events",
                events("\"any\"", "{\"type\":\"x\",\"event_id\":\"" + id + "\"}"));
    assertThat(reuse.status()).isEqualTo(201);
    assertThat(tenant(a).get("/v1/events").json().get("events")).hasSize(1);
  }

  @Test
  void withoutATenantHeaderDevModeUsesTheDefaultTenant() {
    String stream = unique("dflt-");
    assertThat(
            http.post(
                    "/v1/streams/" + stream + "/events", events("\"no_stream\"", event("a", "{}")))
                .status())
        .isEqualTo(201);
    assertThat(flowstore.events(TenantId.DEFAULT).streamVersion(stream)).isZero();
  }

  @Test
  void healthEndpoints() {
    Http.Response live = http.get("/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.json().get("status").asText()).isEqualTo("up");
    Http.Response ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("status").asText()).isEqualTo("ready");
    assertThat(ready.json().get("backend").asText()).isEqualTo(flowstore.describe());
  }

  @Test
  void servesItsOpenApiDocument() {
    Http.Response doc = http.get("/openapi.yaml");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.contentType()).startsWith("application/yaml");
    assertThat(doc.text()).isEqualTo(new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8));
  }

  static void assertBad(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode error = r.json().get("error");
    assertThat(error.get("code").asText()).as(r.toString()).isEqualTo(code);
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("trace_id").asText()).isEqualTo(r.traceId()).isNotBlank();
  }
}
