package dev.flowstore.server;

import static dev.flowstore.server.HttpApiContract.assertBad;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server behaviour no real backend shows on cue: its failures, flowstore bugs, keys appearing at
 * run time.
 */
class ServerFailureTest {
  final StubFlowstore flowstore = new StubFlowstore();
  FlowstoreServer server;
  Http http;

  @BeforeEach
  void start() {
    server = FlowstoreServer.start(flowstore.flowstore(), "127.0.0.1", 0);
    http = new Http(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anUnavailableBackendMakesReadinessFailWith503() {
    flowstore.readiness =
        () -> {
          throw new FlowstoreException(
              ErrorCode.BACKEND_UNAVAILABLE, "sqlite: cannot open data/flowstore.db");
        };
    Http.Response ready = http.get("/health/ready");
    assertBad(ready, 503, "BACKEND_UNAVAILABLE");
    assertThat(ready.json().get("error").get("message").asText()).contains("cannot open");
    assertThat(http.get("/health/live").status()).isEqualTo(200);
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownIsA503SayingSo() {
    flowstore.events =
        t -> {
          throw new FlowstoreException(
              ErrorCode.OUTCOME_UNKNOWN, "the commit did not answer: read before retrying it");
        };
    Http.Response r = http.get("/v1/events");
    assertBad(r, 503, "OUTCOME_UNKNOWN");
    assertThat(r.json().get("error").get("message").asText()).contains("read before retrying");
  }

  @Test
  void aBugIsA500WhoseDetailsStayInTheLog() {
    flowstore.events =
        t -> {
          throw new IllegalStateException("secret internal detail");
        };
    Http.Response r = http.get("/v1/streams/s/events", "X-Trace-Id", "bug-1");
    assertBad(r, 500, "INTERNAL");
    assertThat(r.text())
        .doesNotContain("secret internal detail")
        .doesNotContain("IllegalStateException")
        .contains("bug-1");
  }

  @Test
  void anInternalFlowstoreErrorIsHiddenToo() {
    flowstore.events =
        t -> {
          throw new FlowstoreException(ErrorCode.INTERNAL, "SQL state XX000 in table events");
        };
    Http.Response r = http.get("/v1/events");
    assertBad(r, 500, "INTERNAL");
    assertThat(r.text()).doesNotContain("XX000");
  }

  @Test
  void requestsRunOnVirtualThreads() {
    java.util.concurrent.atomic.AtomicBoolean virtual =
        new java.util.concurrent.atomic.AtomicBoolean();
    flowstore.readiness = () -> virtual.set(Thread.currentThread().isVirtual());
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    assertThat(virtual).isTrue();
  }

  @Test
  void creatingTheFirstKeyEndsDevModeWhileTheServerRuns() {
    Http.Response devMode = http.get("/v1/events");
    assertThat(devMode.code())
        .isEqualTo("INTERNAL"); // the stub has no event store: dev mode let it through
    flowstore.apiKeys().create(dev.flowstore.TenantId.of("acme"), "k");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> assertBad(http.get("/v1/events"), 401, "UNAUTHENTICATED"));
  }
}
