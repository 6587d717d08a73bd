package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.server.FlowstoreCli;
import dev.flowstore.testkit.ServerProcess;
import dev.flowstore.testkit.TestBackends;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator commands against {@code ./flowstore serve} (the packaged jar, a real port): run
 * in-process in HTTP mode ({@code FLOWSTORE_URL}), their JSON compared with the API's own answers
 * and their tables with direct mode's on the server's data directory; the real launcher runs them
 * too, so its classpath is covered. The API-key test runs last: creating a key ends dev mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorCliE2eTest {
  private static final String TENANT = "acme";

  Path workDir;
  Map<String, String> env;
  ServerProcess server;
  Api api;
  List<String> emailsDead = new ArrayList<>();
  String smsDead;
  String session;

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return Api.JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  @BeforeAll
  void startServerAndPopulate() throws IOException {
    workDir = Files.createTempDirectory("flowstore-e2e-opcli-");
    env = new HashMap<>();
    env.put("FLOWSTORE_STORE_BACKEND", "sqlite");
    env.put("FLOWSTORE_DATA_DIR", workDir.resolve("data").toString());
    env.putAll(ApiE2eContract.JVM_OPTIONS);
    server = ServerProcess.start(workDir.resolve("server"), env);
    api = new Api(server.uri(), new Coverage()).with("X-Tenant-Id", TENANT);

    emailsDead.addAll(deadLetter("emails", 2));
    smsDead = deadLetter("sms", 1).get(0);
    session =
        api.op("POST", "/v1/sessions")
            .body("{\"initial_state\":\"start\"}")
            .expect(201)
            .get("session_id")
            .asText();
    api.op("POST", "/v1/sessions/{session_id}/transitions", session)
        .body("{\"expected_version\":0,\"to_state\":\"review\"}")
        .expect(200);
    api.op("PUT", "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}", session, "fetch", 1)
        .body("{}")
        .expect(201);
    api.op(
            "POST",
            "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}/finish",
            session,
            "fetch",
            1)
        .body("{\"status\":\"failed\",\"error\":\"upstream timeout\"}")
        .expect(200);
    api.op("POST", "/v1/sessions/{session_id}/checkpoints", session)
        .body("{\"checkpoint_id\":\"cp-1\",\"data\":{}}")
        .expect(201);
    api.op("POST", "/v1/resume-handles")
        .body("{\"session_id\":\"" + session + "\",\"correlation_id\":\"approval-7\"}")
        .expect(201);
  }

  @AfterAll
  void stopServer() throws IOException {
    try {
      if (server != null) server.close();
    } finally {
      ApiE2eContract.deleteRecursively(workDir);
    }
  }

  /** {@code n} jobs of {@code queue} that failed their only attempt. */
  List<String> deadLetter(String queue, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++)
      ids.add(
          api.op("POST", "/v1/queues/{queue}/jobs", queue)
              .body("{\"job_type\":\"send\",\"payload\":{},\"max_attempts\":1}")
              .expect(201)
              .get("job_id")
              .asText());
    JsonNode leases =
        api.op("POST", "/v1/queues/{queue}/leases", queue)
            .body("{\"max\":" + n + "}")
            .expect(200)
            .get("leases");
    assertThat(leases).hasSize(n);
    for (JsonNode l : leases)
      api.op("POST", "/v1/jobs/{job_id}/nack", l.get("job_id").asText())
          .body("{\"lease_token\":" + l.get("lease_token") + ",\"error\":\"smtp down\"}")
          .expect(200);
    return ids;
  }

  /** The CLI in-process, in HTTP mode against the packaged server. */
  Run http(String... args) {
    return cli(Map.of("FLOWSTORE_URL", server.uri().toString()), args);
  }

  /** The CLI in-process, in direct mode on the server's own data directory. */
  Run direct(String... args) {
    return cli(Map.of("FLOWSTORE_DATA_DIR", env.get("FLOWSTORE_DATA_DIR")), args);
  }

  static Run cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = FlowstoreCli.execute(args, env, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  static String[] withTenant(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--tenant";
    all[args.length + 1] = TENANT;
    return all;
  }

  @Test
  @Order(1)
  void theJsonOfEachReadCommandIsTheApisAnswer() {
    assertThat(http(withTenant("queues", "--json")).json())
        .isEqualTo(api.op("GET", "/v1/queues").expect(200));
    assertThat(http(withTenant("jobs", "show", emailsDead.get(0), "--json")).json())
        .isEqualTo(api.op("GET", "/v1/jobs/{job_id}", emailsDead.get(0)).expect(200));
    assertThat(http(withTenant("dlq", "list", "--json")).json())
        .isEqualTo(api.op("GET", "/v1/dlq").query("limit=100").expect(200));
    assertThat(http(withTenant("dlq", "show", smsDead, "--json")).json())
        .isEqualTo(api.op("GET", "/v1/dlq/{job_id}", smsDead).expect(200));
    JsonNode timeline = http(withTenant("sessions", "show", session, "--json")).json();
    assertThat(timeline.get("session"))
        .isEqualTo(api.op("GET", "/v1/sessions/{session_id}", session).expect(200));
    assertThat(timeline.get("events"))
        .isEqualTo(
            api.op("GET", "/v1/sessions/{session_id}/events", session).expect(200).get("events"));
    assertThat(timeline.get("steps")).hasSize(1);
    assertThat(timeline.get("checkpoints")).hasSize(1);
    assertThat(timeline.get("resume_handles")).hasSize(1);
  }

  @Test
  @Order(2)
  void httpAndDirectModePrintTheSameTables() {
    for (String[] args :
        List.of(
            withTenant("queues"),
            withTenant("jobs", "show", emailsDead.get(1)),
            withTenant("dlq", "list"),
            withTenant("sessions", "show", session))) {
      Run overHttp = http(args);
      assertThat(overHttp.code()).as(overHttp.err()).isZero();
      assertThat(overHttp.out()).isNotBlank().doesNotContain("\u001b[");
      assertThat(direct(args).out()).as(String.join(" ", args)).isEqualTo(overHttp.out());
    }
    assertThat(http(withTenant("sessions", "show", session)).out())
        .containsPattern("step +fetch #1 +failed +upstream timeout")
        .containsPattern("1 +event +session.changed +- +start -> review");
  }

  @Test
  @Order(3)
  void redriveAndPurgeGoThroughTheApiAndAreAudited() {
    Run redriven = http(withTenant("dlq", "redrive", emailsDead.get(0)));
    assertThat(redriven.code()).as(redriven.err()).isZero();
    assertThat(redriven.out()).contains("Redriven 1 of 1 job.");
    assertThat(
            api.op("GET", "/v1/jobs/{job_id}", emailsDead.get(0))
                .expect(200)
                .get("status")
                .asText())
        .isEqualTo("queued");
    assertThat(
            api.op("GET", "/v1/audit")
                .query("resource_type=job&resource_id=" + emailsDead.get(0))
                .expect(200)
                .get("entries"))
        .extracting(e -> e.get("action").asText())
        .contains("job.redriven");

    Run refused = http(withTenant("dlq", "purge", "--all"));
    assertThat(refused.code()).isEqualTo(2);
    Run purged = http(withTenant("dlq", "purge", "--all", "--queue", "sms", "--yes", "--json"));
    assertThat(purged.code()).as(purged.err()).isZero();
    assertThat(purged.json().get("purged")).extracting(JsonNode::asText).containsExactly(smsDead);
    assertThat(api.op("GET", "/v1/dlq").query("queue=sms").expect(200).get("items")).isEmpty();
    assertThat(
            api.op("GET", "/v1/audit")
                .query("resource_type=job&resource_id=" + smsDead)
                .expect(200)
                .get("entries"))
        .extracting(e -> e.get("action").asText())
        .contains("job.purged");
  }

  @Test
  @Order(4)
  void errorsExitWithTheirCodes() {
    String unknown = UUID.randomUUID().toString();
    Run notFound = http(withTenant("jobs", "show", unknown));
    assertThat(notFound.code()).isEqualTo(1);
    assertThat(notFound.err())
        .startsWith("flowstore: NOT_FOUND: job " + unknown + " not found")
        .contains("looked in tenant acme");
    Run session404 = http("sessions", "show", session);
    assertThat(session404.code()).as("another tenant's session").isEqualTo(1);
    assertThat(session404.err()).startsWith("flowstore: NOT_FOUND: ");
    Run badFlag = http("dlq", "list", "--limit", "many");
    assertThat(badFlag.code()).isEqualTo(2);
  }

  @Test
  @Order(5)
  void theLauncherRunsTheCommands() throws Exception {
    Launched help = launch("queues", "--help");
    assertThat(help.code()).as(help.output()).isZero();
    assertThat(help.output()).startsWith("Usage: flowstore queues");
    Launched sessions = launch("sessions", "show", "--help");
    assertThat(sessions.code()).as(sessions.output()).isZero();
    assertThat(sessions.output()).startsWith("Usage: flowstore sessions show");

    Launched list = launch("dlq", "list", "--url", server.uri().toString(), "--tenant", TENANT);
    assertThat(list.code()).as(list.output()).isZero();
    assertThat(list.output()).startsWith("JOB_ID").contains(emailsDead.get(1));

    String nowhere = "http://127.0.0.1:" + TestBackends.freePort();
    Launched down = launch("queues", "--url", nowhere);
    assertThat(down.code()).as(down.output()).isEqualTo(3);
    assertThat(down.output()).contains("flowstore: BACKEND_UNAVAILABLE: cannot reach");
  }

  @Test
  @Order(6)
  void withKeysTheCommandsNeedTheTenantsKey() {
    Run created =
        cli(
            Map.of("FLOWSTORE_DATA_DIR", env.get("FLOWSTORE_DATA_DIR")),
            "tenant",
            "create",
            TENANT);
    assertThat(created.code()).as(created.err()).isZero();
    String key = created.out().strip();
    // why await: the server re-reads whether keys exist at most every 2 s
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http("queues").code() == 1);
    Run unauthenticated = http("queues");
    assertThat(unauthenticated.err())
        .startsWith("flowstore: UNAUTHENTICATED: ")
        .contains("FLOWSTORE_API_KEY");
    Run keyed =
        cli(
            Map.of("FLOWSTORE_URL", server.uri().toString(), "FLOWSTORE_API_KEY", key),
            "queues",
            "--json");
    assertThat(keyed.code()).as(keyed.err()).isZero();
    assertThat(keyed.json().get("queues")).isNotEmpty();
    Run unknown =
        cli(
            Map.of("FLOWSTORE_URL", server.uri().toString(), "FLOWSTORE_API_KEY", key),
            "jobs",
            "show",
            UUID.randomUUID().toString());
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).contains("looked in the API key's tenant");
    Run otherTenant =
        cli(
            Map.of("FLOWSTORE_URL", server.uri().toString(), "FLOWSTORE_API_KEY", key),
            "queues",
            "--tenant",
            "other");
    assertThat(otherTenant.code()).isEqualTo(1);
    assertThat(otherTenant.err()).startsWith("flowstore: UNAUTHENTICATED: ");
  }

  record Launched(int code, String output) {}

  /** {@code ./flowstore ARGS} as a user runs it, with no flowstore configuration inherited. */
  Launched launch(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ServerProcess.repoRoot().resolve("flowstore").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.redirectErrorStream(true);
    pb.environment().keySet().removeIf(FlowstoreConfig.keys()::contains);
    pb.environment().remove("FLOWSTORE_URL");
    pb.environment().remove("FLOWSTORE_API_KEY");
    pb.environment().put("FLOWSTORE_NO_BUILD", "1");
    pb.environment().putAll(ApiE2eContract.JVM_OPTIONS);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("./flowstore " + String.join(" ", args) + " did not exit");
    }
    return new Launched(p.exitValue(), output);
  }
}
