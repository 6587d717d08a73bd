package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.server.FlowstoreCliTest.Run;
import dev.flowstore.testkit.EveryTable;
import dev.flowstore.testkit.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowstore copy}, {@code compare} and {@code maintenance}, run in-process. */
class SwitchCommandsCliTest {
  @TempDir Path tmp;

  /** The target spec of a PostgreSQL test store: its DSN with {@code schema=}. */
  private static String spec(FlowstoreConfig pg) {
    String dsn = pg.given("POSTGRES_DSN");
    return dsn + (dsn.contains("?") ? "&" : "?") + "schema=" + pg.given("POSTGRES_SCHEMA");
  }

  @Test
  void copyThenCompareFromSqliteToPostgresAndBackFindsACorruptedRow() {
    Path data = tmp.resolve("data");
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data))) {
      EveryTable.fill(fs, TenantId.of("acme"));
      EveryTable.fill(fs, TenantId.of("bolt"));
    }
    FlowstoreConfig pg = TestBackends.postgres();
    Map<String, String> env = Map.of();
    String source = "sqlite:" + data;
    String target = spec(pg);
    try {
      Run copy = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target);
      assertThat(copy.code()).as(copy.err()).isZero();
      assertThat(copy.out()).containsPattern("copied \\d+ rows of \\d+ tables and 2 tenants");
      assertThat(copy.err())
          .contains("the source is not in maintenance")
          .containsPattern("copy: (\\d+)/\\1 rows \\(100%\\), \\d+ rows/s, .* left");

      Run equal = FlowstoreCliTest.run(env, "compare", source, target);
      assertThat(equal.code()).as(equal.out() + equal.err()).isZero();
      assertThat(equal.out()).contains("equal: ");
      Run json = FlowstoreCliTest.run(env, "compare", "--json", target, source);
      assertThat(json.code()).isZero();
      JsonNode report = Json.parse("report", json.out());
      assertThat(report.get("equal").asBoolean()).isTrue();
      assertThat(report.get("tables").get(0).get("digest_a").asText())
          .isEqualTo(report.get("tables").get(0).get("digest_b").asText())
          .hasSize(16);

      // a second copy into the same target is refused, a resumed one has nothing to do
      Run again = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target);
      assertThat(again.code()).isEqualTo(2);
      assertThat(again.err()).contains("--resume");
      Run resumed = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target, "--resume");
      assertThat(resumed.code()).isZero();
      assertThat(resumed.out()).contains("nothing to do");

      TestBackends.executeAsOwner(
          pg, "UPDATE flows SET name = 'Tampered' WHERE flow_id = 'review'");
      Run different = FlowstoreCliTest.run(env, "compare", source, target);
      assertThat(different.code()).isEqualTo(1);
      assertThat(different.out())
          .contains("DIFFERENT flows tenant acme", "values differ; name a=Review b=Tampered");
      Run diffJson = FlowstoreCliTest.run(env, "compare", "--json", source, target);
      assertThat(diffJson.code()).isEqualTo(1);
      assertThat(Json.parse("report", diffJson.out()).get("equal").asBoolean()).isFalse();

      // and back to a fresh SQLite file
      String back = "sqlite:" + tmp.resolve("back");
      Run copyBack = FlowstoreCliTest.run(env, "copy", "--from", target, "--to", back);
      assertThat(copyBack.code()).as(copyBack.err()).isZero();
      assertThat(FlowstoreCliTest.run(env, "compare", target, back).code()).isZero();
    } finally {
      TestBackends.drop(pg);
    }
  }

  @Test
  void compareExits2WhenItCannotCompare() {
    Run missing =
        FlowstoreCliTest.run(Map.of(), "compare", "sqlite:" + tmp.resolve("none"), "sqlite:x");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("there is no flowstore database at", "could not compare");
    Run redis =
        FlowstoreCliTest.run(
            Map.of(), "copy", "--from", "redis://127.0.0.1:6379/0", "--to", "sqlite:y");
    assertThat(redis.code()).isEqualTo(2);
    assertThat(redis.err()).contains("not built yet");
    Run nonsense = FlowstoreCliTest.run(Map.of(), "compare", "mysql://x", "sqlite:y");
    assertThat(nonsense.code()).isEqualTo(2);
    assertThat(nonsense.err()).contains("is not sqlite:<data dir>");
    assertThat(FlowstoreCliTest.run(Map.of(), "compare", "sqlite:x").code()).isEqualTo(2);
  }

  @Test
  void maintenanceSwitchedByTheCliFreezesARunningServersWrites() throws Exception {
    Path data = tmp.resolve("data");
    Map<String, String> env = Map.of("FLOWSTORE_DATA_DIR", data.toString());
    HttpClient http = HttpClient.newHttpClient();
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
      URI append = server.uri().resolve("/v1/streams/s-1/events");
      HttpRequest write =
          HttpRequest.newBuilder(append)
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"events\": [{\"type\": \"x\", \"payload\": {}}]}"))
              .header("Content-Type", "application/json")
              .build();
      assertThat(http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(201);

      Run on = FlowstoreCliTest.run(env, "maintenance", "on", "--reason", "moving to PostgreSQL");
      assertThat(on.code()).as(on.err()).isZero();
      assertThat(on.out()).startsWith("maintenance: on since ").contains("moving to PostgreSQL");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode() == 503);
      HttpResponse<String> refused = http.send(write, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.headers().firstValue("Retry-After")).contains("30");
      assertThat(Json.parse("r", refused.body()).at("/error/code").asText())
          .isEqualTo("MAINTENANCE");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(append).GET().build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      assertThat(FlowstoreCliTest.run(env, "maintenance", "status").out())
          .contains("maintenance: on since");

      Run off = FlowstoreCliTest.run(env, "maintenance", "off");
      assertThat(off.out()).isEqualToIgnoringNewLines("maintenance: off");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode() == 201);
    }
    assertThat(FlowstoreCliTest.run(env, "maintenance").code()).isEqualTo(2);
    Run blank = FlowstoreCliTest.run(env, "maintenance", "on", "--reason", " ");
    assertThat(blank.code()).isEqualTo(1);
    assertThat(blank.err()).contains("reason");
  }
}
