package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flowstore.server.internal.cli.Terminal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator commands in HTTP mode when the server fails under them, played by a small HTTP
 * server that answers as flowstore does when its database goes away mid-run (503
 * BACKEND_UNAVAILABLE), or as a proxy in front of nothing does (an HTML page).
 */
class OperatorCliHttpFaultsTest {
  static final String A = "00000000-0000-4000-8000-00000000000a";
  static final String B = "00000000-0000-4000-8000-00000000000b";
  static final String C = "00000000-0000-4000-8000-00000000000c";

  HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/dlq",
        x -> {
          requests.add(x.getRequestMethod() + " " + x.getRequestURI().getPath());
          String path = x.getRequestURI().getPath();
          if (path.equals("/v1/dlq"))
            answer(
                x,
                200,
                "application/json",
                "{\"items\":[{\"job_id\":\"%s\"},{\"job_id\":\"%s\"},{\"job_id\":\"%s\"}],\"next_after\":null}"
                    .formatted(A, B, C));
          else if (path.equals("/v1/dlq/" + A + "/redrive"))
            answer(
                x,
                200,
                "application/json",
                "{\"job_id\":\"%s\",\"queue\":\"emails\",\"job_type\":\"send\",\"status\":\"queued\",\"run_at\":\"2026-12-07T00:00:00.123456Z\"}"
                    .formatted(A));
          else
            answer(
                x,
                503,
                "application/json",
                "{\"error\":{\"code\":\"BACKEND_UNAVAILABLE\",\"message\":\"the database is unreachable\",\"trace_id\":\"t\"}}");
        });
    server.createContext(
        "/v1/queues",
        x -> answer(x, 502, "text/html", "<html><body>502 Bad Gateway</body></html>"));
    server.createContext(
        "/v1/jobs", x -> answer(x, 404, "text/html", "<html><body>Not Found</body></html>"));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static void answer(HttpExchange x, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  OperatorCliContract.Run run(String... args) {
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return OperatorCliContract.run(Map.of("FLOWSTORE_URL", url), Terminal.NONE, args);
  }

  @Test
  void aServerThatLosesItsDatabaseMidRunStopsItReportingWhatWasDone() {
    OperatorCliContract.Run r = run("dlq", "redrive", "--all", "--yes");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.out().lines())
        .containsExactly(
            "JOB_ID                                QUEUE   JOB_TYPE  STATUS  RUN_AT",
            A + "  emails  send      queued  2026-12-07T00:00:00Z",
            "Redriven 1 of 3 jobs.");
    assertThat(r.err().lines())
        .containsExactly(
            "flowstore: stopped after 1 of 3 jobs; the rest were not tried:",
            "flowstore: BACKEND_UNAVAILABLE: the database is unreachable");
    assertThat(requests)
        .containsExactly(
            "GET /v1/dlq", "POST /v1/dlq/" + A + "/redrive", "POST /v1/dlq/" + B + "/redrive");

    requests.clear();
    OperatorCliContract.Run json = run("dlq", "purge", A, C, "--yes", "--json");
    assertThat(json.code()).isEqualTo(3);
    assertThat(json.json().path("purged")).isEmpty();
    assertThat(requests).containsExactly("DELETE /v1/dlq/" + A);
  }

  @Test
  void anAnswerThatIsNotFlowstoresSaysSo() {
    OperatorCliContract.Run gateway = run("queues");
    assertThat(gateway.code()).isEqualTo(3);
    assertThat(gateway.err())
        .startsWith("flowstore: BACKEND_UNAVAILABLE: the server at http://127.0.0.1:")
        .contains("answered HTTP 502 without a flowstore error body; is --url a flowstore server?");
    OperatorCliContract.Run notFound = run("jobs", "show", A);
    assertThat(notFound.code()).isEqualTo(1);
    assertThat(notFound.err())
        .startsWith("flowstore: INTERNAL: the server at ")
        .contains("answered HTTP 404 without a flowstore error body");
  }
}
