package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A server missing a jar (as the launcher's classpath was missing jackson-dataformat-yaml) fails
 * with an Error, not an Exception: the request still gets the JSON error body with a trace id, and
 * the log has the Error under that trace id, so an operator can find it.
 */
class BrokenClasspathE2eTest {
  @Test
  void anErrorInAHandlerAnswersTheErrorBodyAndIsLoggedWithItsTraceId() throws IOException {
    Path dir = Files.createTempDirectory("flowstore-e2e-broken-");
    try (ServerProcess server =
        ServerProcess.startWithClasspath(
            dir.resolve("server"),
            withJvmOptions(Map.of("FLOWSTORE_DATA_DIR", dir.resolve("data").toString())),
            cp -> withoutYaml(cp))) {
      Api api = new Api(server.uri(), new Coverage());
      Api.Response r =
          api.op("POST", "/v1/flows")
              .header("X-Trace-Id", "broken-cp-1")
              .body("{\"flow_id\":\"f1\",\"yaml_content\":\"steps: [a]\"}")
              .send();
      Api.assertError(r, 500, "INTERNAL");
      JsonNode error = r.json().get("error");
      assertThat(error.get("trace_id").asText()).isEqualTo("broken-cp-1");
      assertThat(error.get("message").asText()).doesNotContain("yaml").contains("broken-cp-1");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(Files.readString(server.log()))
                      .contains("POST /v1/flows failed (trace broken-cp-1)")
                      .contains("java.lang.NoClassDefFoundError"));
      // the server goes on serving what does not need the missing jar
      assertThat(api.op("GET", "/v1/events").expect(200).get("events")).isEmpty();
    } finally {
      ApiE2eContract.deleteRecursively(dir);
    }
  }

  private static Map<String, String> withJvmOptions(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putAll(ApiE2eContract.JVM_OPTIONS);
    return all;
  }

  private static List<String> withoutYaml(List<String> classpath) {
    List<String> kept =
        classpath.stream().filter(e -> !e.contains("jackson-dataformat-yaml")).toList();
    assertThat(kept)
        .as("the launcher's classpath has jackson-dataformat-yaml")
        .hasSize(classpath.size() - 1);
    return kept;
  }
}
