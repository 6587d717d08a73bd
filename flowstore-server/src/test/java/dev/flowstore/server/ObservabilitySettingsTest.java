package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.server.internal.http.TraceIds;
import dev.flowstore.server.internal.observe.Telemetry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observability settings in-process: bad values stop {@code serve} with exit code 2 and one
 * line naming the key; when tracing is on; which {@code traceparent} headers give a trace id (a bad
 * one is ignored, never refused). The packaged server's behaviour is flowstore-e2e's
 * ObservabilityE2eContract.
 */
class ObservabilitySettingsTest {
  @TempDir Path tmp;

  private FlowstoreCliTest.Run serve(String key, String value) {
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSTORE_DATA_DIR", tmp.resolve("data").toString());
    env.put(key, value);
    return FlowstoreCliTest.run(env, "serve", "--port", "0");
  }

  @Test
  void badLogSettingsStopTheStartNamingTheKey() {
    FlowstoreCliTest.Run format = serve("FLOWSTORE_LOG_FORMAT", "xml");
    assertThat(format.code()).isEqualTo(2);
    assertThat(format.errLines())
        .singleElement()
        .asString()
        .isEqualTo("flowstore: FLOWSTORE_LOG_FORMAT: must be text or json, got 'xml'");
    FlowstoreCliTest.Run requests = serve("FLOWSTORE_LOG_REQUESTS", "yes");
    assertThat(requests.code()).isEqualTo(2);
    assertThat(requests.errLines())
        .singleElement()
        .asString()
        .isEqualTo("flowstore: FLOWSTORE_LOG_REQUESTS: must be true or false, got 'yes'");
  }

  @Test
  @Timeout(60) // why: if the bad value were accepted, serve would run until interrupted
  void aBadTracesExporterStopsTheStart() {
    FlowstoreCliTest.Run r = serve("OTEL_TRACES_EXPORTER", "carrier-pigeon");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: OTEL_*: cannot set up OpenTelemetry tracing: ")
        .contains("carrier-pigeon");
  }

  @Test
  void tracingIsOnOnlyWhenTheEnvironmentAsksForTraces() {
    assertThat(Telemetry.wanted(Map.of())).isFalse();
    assertThat(Telemetry.wanted(Map.of("OTEL_SERVICE_NAME", "x"))).isFalse();
    assertThat(Telemetry.wanted(Map.of("OTEL_TRACES_EXPORTER", "none"))).isFalse();
    assertThat(Telemetry.wanted(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
    assertThat(Telemetry.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"))).isTrue();
    assertThat(Telemetry.wanted(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318")))
        .isTrue();
    assertThat(
            Telemetry.wanted(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "http://c:4318",
                    "OTEL_TRACES_EXPORTER",
                    "none")))
        .isFalse();
    assertThat(
            Telemetry.wanted(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "true")))
        .isFalse();
  }

  @Test
  void aValidTraceparentGivesItsTraceIdAndAnyOtherNone() {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    assertThat(TraceIds.traceparentTraceId("00-" + trace + "-00f067aa0ba902b7-01"))
        .isEqualTo(trace);
    assertThat(TraceIds.traceparentTraceId("00-" + trace + "-00f067aa0ba902b7-00"))
        .isEqualTo(trace);
    // a later version may add fields; version 00 may not
    assertThat(TraceIds.traceparentTraceId("01-" + trace + "-00f067aa0ba902b7-01-extra"))
        .isEqualTo(trace);
    assertThat(TraceIds.traceparentTraceId("00-" + trace + "-00f067aa0ba902b7-01-extra")).isNull();
    assertThat(TraceIds.traceparentTraceId("ff-" + trace + "-00f067aa0ba902b7-01")).isNull();
    assertThat(TraceIds.traceparentTraceId("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"))
        .isNull();
    assertThat(TraceIds.traceparentTraceId("00-" + trace + "-" + "0".repeat(16) + "-01")).isNull();
    assertThat(TraceIds.traceparentTraceId("00-" + trace.toUpperCase() + "-00f067aa0ba902b7-01"))
        .isNull();
    assertThat(TraceIds.traceparentTraceId("00-" + trace + "-00f067aa0ba902b7")).isNull();
    assertThat(TraceIds.traceparentTraceId("garbage")).isNull();
    assertThat(TraceIds.traceparentTraceId(null)).isNull();
  }

  @Test
  void aScrapeAnswersWhenTheStoreCannotBeReadAndCountsIt() throws Exception {
    StubFlowstore stub = new StubFlowstore(); // tenants() is not stubbed: it throws
    try (FlowstoreServer server = FlowstoreServer.start(stub.flowstore(), "127.0.0.1", 0)) {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("flowstore_metrics_refresh_failures_total 1.0");
    }
  }
}
