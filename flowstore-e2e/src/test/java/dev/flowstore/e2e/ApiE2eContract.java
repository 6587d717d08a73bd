package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every operation of openapi.yaml against {@code ./flowstore serve} as a user starts it (the
 * packaged jar, the launcher's classpath, configuration by environment), once with a valid request
 * (2xx, key fields checked) and once with a bad one (4xx, the JSON error body, a stable code). One
 * server per deployment (subclass) serves all of its tests; {@link #everyOperationWasExercised}
 * runs last and lists what no test reached.
 *
 * <p>Black box: nothing but HTTP, except one step the API has no operation for — adding an outbox
 * message, which only the Java API does inside a transaction — done through the library on the same
 * store while the server runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ApiE2eContract {
  private static final String TENANT = "acme";

  /**
   * why: C1 only and the serial collector start the server markedly faster on a busy 2-core
   * machine, and change nothing it does; a FLOWSTORE_JAVA_OPTS of the caller's wins.
   */
  static final Map<String, String> JVM_OPTIONS =
      System.getenv("FLOWSTORE_JAVA_OPTS") != null
          ? Map.of()
          : Map.of("FLOWSTORE_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

  private final Coverage coverage = new Coverage();
  Path workDir;
  Map<String, String> env;
  ServerProcess server;
  Api api;

  /** The deployment's configuration (added to a clean environment); {@code dir} is its own. */
  abstract Map<String, String> deployment(Path dir);

  /** Drops what the deployment left outside {@code dir} (a PostgreSQL schema). */
  void dropDeployment(Map<String, String> env) {}

  @BeforeAll
  void startServer() throws IOException {
    workDir = Files.createTempDirectory("flowstore-e2e-");
    env = new HashMap<>(deployment(workDir));
    // why: the outbox test marks a message failed itself; a relay polling once a minute rarely
    // publishes it first (the test takes another message when it does)
    env.putIfAbsent("OUTBOX_POLL_INTERVAL_MS", "60000");
    env.putAll(JVM_OPTIONS);
    server = ServerProcess.start(workDir.resolve("server"), env);
    api = new Api(server.uri(), coverage).with("X-Tenant-Id", TENANT);
  }

  @AfterAll
  void stopServer() throws IOException {
    try {
      if (server != null) server.close();
    } finally {
      if (env != null) dropDeployment(env);
      deleteRecursively(workDir);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  @Test
  void events() {
    String stream = "order-" + UUID.randomUUID();
    String append = "/v1/streams/{stream}/events";
    JsonNode appended =
        api.op("POST", append, stream)
            .body(
                "{\"expected_version\":\"no_stream\",\"events\":[{\"type\":\"order.placed\",\"payload\":{\"total\":\"9.90\"}},{\"type\":\"order.paid\"}]}")
            .expect(201);
    assertThat(appended.get("stream").asText()).isEqualTo(stream);
    assertThat(appended.get("next_expected_version").asLong()).isEqualTo(1);
    assertThat(appended.get("replayed").asBoolean()).isFalse();
    assertThat(appended.get("events")).hasSize(2);
    api.op("POST", append, stream)
        .body("{\"expected_version\":\"no_stream\",\"events\":[{\"type\":\"x\"}]}")
        .expectError(409, "VERSION_CONFLICT");

    JsonNode page = api.op("GET", append, stream).query("direction=backward&limit=1").expect(200);
    assertThat(page.get("events")).hasSize(1);
    assertThat(page.get("events").get(0).get("type").asText()).isEqualTo("order.paid");
    api.op("GET", append, stream).query("direction=sideways").expectError(400, "INVALID_ARGUMENT");

    JsonNode feed = api.op("GET", "/v1/events").query("after=0&category=order").expect(200);
    assertThat(feed.get("events"))
        .extracting(e -> e.get("type").asText())
        .contains("order.placed", "order.paid");
    assertThat(feed.get("next_after").asLong()).isPositive();
    api.op("GET", "/v1/events").query("after=-1").expectError(400, "INVALID_ARGUMENT");
  }

  @Test
  void flowsAndSessions() {
    String flowId = "onboarding-" + UUID.randomUUID();
    JsonNode flow =
        api.op("POST", "/v1/flows")
            .body(
                "{\"flow_id\":\""
                    + flowId
                    + "\",\"name\":\"Onboarding\",\"yaml_content\":\"steps:\\n  - welcome\\n  - verify\\n\",\"param_schema\":{\"type\":\"object\",\"required\":[\"user\"],\"properties\":{\"user\":{\"type\":\"string\"}}}}")
            .expect(201);
    assertThat(flow.get("flow_id").asText()).isEqualTo(flowId);
    assertThat(flow.get("version").asInt()).isEqualTo(1);
    assertThat(flow.get("yaml_content").asText()).contains("welcome");
    api.op("POST", "/v1/flows")
        .body("{\"flow_id\":\"f-bad\",\"yaml_content\":\"steps: [unclosed\"}")
        .expectError(400, "INVALID_ARGUMENT");

    JsonNode flows = api.op("GET", "/v1/flows").query("limit=100").expect(200);
    assertThat(flows.get("flows")).extracting(f -> f.get("flow_id").asText()).contains(flowId);
    api.op("GET", "/v1/flows").query("limit=0").expectError(400, "INVALID_ARGUMENT");
    assertThat(
            api.op("GET", "/v1/flows/{flow_id}", flowId).query("version=1").expect(200).get("name"))
        .hasToString("\"Onboarding\"");
    api.op("GET", "/v1/flows/{flow_id}", "no-such-flow").expectError(404, "NOT_FOUND");

    UUID sessionId = UUID.randomUUID();
    JsonNode session =
        api.op("POST", "/v1/sessions")
            .body(
                "{\"session_id\":\""
                    + sessionId
                    + "\",\"flow_id\":\""
                    + flowId
                    + "\",\"initial_state\":\"draft\",\"state\":{\"doc\":\"d-1\"},\"params\":{\"user\":\"ann\"}}")
            .expect(201);
    assertThat(session.get("session_id").asText()).isEqualTo(sessionId.toString());
    assertThat(session.get("status").asText()).isEqualTo("active");
    assertThat(session.get("current_state").asText()).isEqualTo("draft");
    assertThat(session.get("version").asLong()).isZero();
    api.op("POST", "/v1/sessions")
        .body("{\"flow_id\":\"" + flowId + "\",\"params\":{\"user\":42}}")
        .expectError(400, "INVALID_ARGUMENT");

    JsonNode sessions = api.op("GET", "/v1/sessions").query("flow_id=" + flowId).expect(200);
    assertThat(sessions.get("sessions"))
        .extracting(s -> s.get("session_id").asText())
        .containsExactly(sessionId.toString());
    api.op("GET", "/v1/sessions").query("status=sleeping").expectError(400, "INVALID_ARGUMENT");

    String transitions = "/v1/sessions/{session_id}/transitions";
    JsonNode changed =
        api.op("POST", transitions, sessionId)
            .body("{\"expected_version\":0,\"to_state\":\"review\",\"state\":{\"doc\":\"d-2\"}}")
            .expect(200);
    assertThat(changed.get("version").asLong()).isEqualTo(1);
    assertThat(changed.get("current_state").asText()).isEqualTo("review");
    api.op("POST", transitions, sessionId)
        .body("{\"expected_version\":0,\"to_state\":\"done\"}")
        .expectError(409, "VERSION_CONFLICT");

    String one = "/v1/sessions/{session_id}";
    JsonNode asOf = api.op("GET", one, sessionId).query("as_of_version=0").expect(200);
    assertThat(asOf.get("current_state").asText()).isEqualTo("draft");
    assertThat(asOf.get("state").get("doc").asText()).isEqualTo("d-1");
    api.op("GET", one, "not-a-uuid").expectError(400, "INVALID_ID");

    String history = "/v1/sessions/{session_id}/events";
    assertThat(api.op("GET", history, sessionId).expect(200).get("events"))
        .extracting(e -> e.get("type").asText())
        .containsExactly("session.created", "session.changed");
    api.op("GET", history, UUID.randomUUID()).expectError(404, "NOT_FOUND");
  }

  @Test
  void stepsAndCheckpoints() {
    UUID session = UUID.randomUUID();
    String attempt = "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}";
    JsonNode recorded =
        api.op("PUT", attempt, session, "fetch", 1).body("{\"input\":{\"url\":\"u\"}}").expect(201);
    assertThat(recorded.get("status").asText()).isEqualTo("running");
    assertThat(recorded.get("duplicate").asBoolean()).isFalse();
    api.op("PUT", attempt, session, "fetch", 0).body("{}").expectError(400, "INVALID_ARGUMENT");

    assertThat(api.op("GET", attempt, session, "fetch", 1).expect(200).get("input").get("url"))
        .hasToString("\"u\"");
    api.op("GET", attempt, session, "fetch", 2).expectError(404, "NOT_FOUND");

    String finish = attempt + "/finish";
    JsonNode done =
        api.op("POST", finish, session, "fetch", 1)
            .body("{\"status\":\"succeeded\",\"output\":{\"n\":2}}")
            .expect(200);
    assertThat(done.get("status").asText()).isEqualTo("succeeded");
    assertThat(done.get("result_hash").asText()).hasSize(64);
    api.op("POST", finish, session, "fetch", 1)
        .body("{\"status\":\"failed\"}")
        .expectError(422, "UNPROCESSABLE");

    String steps = "/v1/sessions/{session_id}/steps";
    assertThat(api.op("GET", steps, session).expect(200).get("steps")).hasSize(1);
    api.op("GET", steps, session).query("limit=-1").expectError(400, "INVALID_ARGUMENT");

    String cps = "/v1/sessions/{session_id}/checkpoints";
    JsonNode c1 =
        api.op("POST", cps, session)
            .body("{\"checkpoint_id\":\"c1\",\"data\":{\"n\":1},\"metadata\":{\"by\":\"w\"}}")
            .expect(201);
    assertThat(c1.get("checkpoint_id").asText()).isEqualTo("c1");
    assertThat(c1.get("resume_token").asText()).isNotBlank();
    JsonNode c2 =
        api.op("POST", cps, session)
            .body("{\"parent_checkpoint_id\":\"c1\",\"data\":{\"n\":2},\"bytes\":\"AAEC\"}")
            .expect(201);
    assertThat(c2.get("parent_checkpoint_id").asText()).isEqualTo("c1");
    api.op("POST", cps, session)
        .body("{\"data\":{},\"extra\":1}")
        .expectError(400, "INVALID_ARGUMENT");

    JsonNode list = api.op("GET", cps, session).query("limit=1").expect(200);
    assertThat(list.get("checkpoints").get(0).get("checkpoint_id"))
        .isEqualTo(c2.get("checkpoint_id"));
    assertThat(list.get("next_before").asLong()).isPositive();
    api.op("GET", cps, session).query("before=-1").expectError(400, "INVALID_ARGUMENT");

    String latest = cps + "/latest";
    assertThat(api.op("GET", latest, session).expect(200)).isEqualTo(c2);
    api.op("GET", latest, UUID.randomUUID()).expectError(404, "NOT_FOUND");

    String byId = cps + "/{checkpoint_id}";
    assertThat(api.op("GET", byId, session, "c1").expect(200)).isEqualTo(c1);
    api.op("GET", byId, session, "c3").expectError(404, "NOT_FOUND");

    String resume = "/v1/checkpoints/resume";
    assertThat(api.op("GET", resume).query("token=" + c1.get("resume_token").asText()).expect(200))
        .isEqualTo(c1);
    api.op("GET", resume).query("token=garbage").expectError(400, "INVALID_ARGUMENT");
  }

  @Test
  void nodes() {
    String node = "/v1/nodes/{node_id}";
    JsonNode hook =
        api.op("PUT", node, "team/notify")
            .body(
                "{\"node_type\":\"webhook\",\"name\":\"Notify\",\"endpoint\":\"https://example.com/h\"}")
            .expect(200);
    assertThat(hook.get("node_id").asText()).isEqualTo("team/notify");
    assertThat(hook.get("status").asText()).isEqualTo("active");
    api.op("PUT", node, "n1")
        .body("{\"node_type\":\"builtin\",\"name\":\"N\",\"endpoint\":\"http://h\"}")
        .expectError(400, "INVALID_ARGUMENT");

    assertThat(api.op("GET", node, "team/notify").expect(200)).isEqualTo(hook);
    api.op("GET", node, "none").expectError(404, "NOT_FOUND");

    JsonNode webhooks = api.op("GET", "/v1/nodes").query("type=webhook").expect(200);
    assertThat(webhooks.get("nodes"))
        .extracting(n -> n.get("node_id").asText())
        .contains("team/notify");
    api.op("GET", "/v1/nodes").query("type=gadget").expectError(400, "INVALID_ARGUMENT");
  }

  @Test
  void tasks() {
    UUID session = UUID.randomUUID();
    JsonNode created =
        api.op("POST", "/v1/tasks")
            .body("{\"task_type\":\"render\",\"session_id\":\"" + session + "\"}")
            .expect(201);
    assertThat(created.get("status").asText()).isEqualTo("pending");
    String id = created.get("task_id").asText();
    api.op("POST", "/v1/tasks").body("{}").expectError(400, "INVALID_ARGUMENT");

    String start = "/v1/tasks/{task_id}/start";
    assertThat(api.op("POST", start, id).expect(200).get("status").asText()).isEqualTo("running");
    api.op("POST", start, id).expectError(422, "UNPROCESSABLE");

    String progress = "/v1/tasks/{task_id}/progress";
    assertThat(
            api.op("POST", progress, id)
                .body("{\"progress\":12.345}")
                .expect(200)
                .get("progress")
                .decimalValue())
        .isEqualByComparingTo("12.35");
    api.op("POST", progress, id).body("{\"progress\":100.5}").expectError(400, "INVALID_ARGUMENT");

    String complete = "/v1/tasks/{task_id}/complete";
    JsonNode done = api.op("POST", complete, id).body("{\"result\":{\"url\":\"r\"}}").expect(200);
    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(done.get("progress").decimalValue()).isEqualByComparingTo("100");
    api.op("POST", complete, id).expectError(422, "UNPROCESSABLE");

    assertThat(api.op("GET", "/v1/tasks/{task_id}", id).expect(200)).isEqualTo(done);
    api.op("GET", "/v1/tasks/{task_id}", "nope").expectError(400, "INVALID_ID");

    String other =
        api.op("POST", "/v1/tasks")
            .body("{\"task_type\":\"x\"}")
            .expect(201)
            .get("task_id")
            .asText();
    api.op("POST", start, other).body("{}").expect(200);
    String fail = "/v1/tasks/{task_id}/fail";
    api.op("POST", fail, other).body("{}").expectError(400, "INVALID_ARGUMENT");
    JsonNode failed = api.op("POST", fail, other).body("{\"error\":\"boom\"}").expect(200);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("error").asText()).isEqualTo("boom");

    String third =
        api.op("POST", "/v1/tasks")
            .body("{\"task_type\":\"x\"}")
            .expect(201)
            .get("task_id")
            .asText();
    String cancel = "/v1/tasks/{task_id}/cancel";
    assertThat(api.op("POST", cancel, third).expect(200).get("status").asText())
        .isEqualTo("cancelled");
    api.op("POST", cancel, id).expectError(422, "UNPROCESSABLE");

    assertThat(api.op("GET", "/v1/tasks").query("session_id=" + session).expect(200).get("tasks"))
        .extracting(t -> t.get("task_id").asText())
        .containsExactly(id);
    api.op("GET", "/v1/tasks").query("status=lost").expectError(400, "INVALID_ARGUMENT");
  }

  @Test
  void resumeHandles() {
    UUID session = UUID.randomUUID();
    String correlation = "ticket-" + UUID.randomUUID();
    String newHandle =
        "{\"session_id\":\"" + session + "\",\"correlation_id\":\"" + correlation + "\"}";
    JsonNode created = api.op("POST", "/v1/resume-handles").body(newHandle).expect(201);
    assertThat(created.get("status").asText()).isEqualTo("pending_pause");
    String id = created.get("handle_id").asText();
    api.op("POST", "/v1/resume-handles").body(newHandle).expectError(422, "UNPROCESSABLE");

    String paused = "/v1/resume-handles/{handle_id}/paused";
    assertThat(api.op("POST", paused, id).expect(200).get("status").asText()).isEqualTo("paused");
    api.op("POST", paused, id).expectError(422, "UNPROCESSABLE");

    JsonNode waiting =
        api.op("GET", "/v1/resume-handles").query("correlation_id=" + correlation).expect(200);
    assertThat(waiting.get("resume_handles"))
        .extracting(h -> h.get("handle_id").asText())
        .containsExactly(id);
    api.op("GET", "/v1/resume-handles").expectError(400, "INVALID_ARGUMENT");

    String resume = "/v1/resume-handles/{correlation_id}/resume";
    JsonNode resumed =
        api.op("POST", resume, correlation).body("{\"payload\":{\"answer\":\"yes\"}}").expect(200);
    assertThat(resumed.get("status").asText()).isEqualTo("resumed");
    assertThat(resumed.get("resume_payload").get("answer").asText()).isEqualTo("yes");
    assertThat(resumed.get("resumed_before_pause").asBoolean()).isFalse();
    api.op("POST", resume, "ticket-never").expectError(404, "NOT_FOUND");

    assertThat(api.op("GET", "/v1/resume-handles/{handle_id}", id).expect(200)).isEqualTo(resumed);
    api.op("GET", "/v1/resume-handles/{handle_id}", "c").expectError(400, "INVALID_ID");
  }

  @Test
  void commands() {
    UUID session = UUID.randomUUID();
    JsonNode first =
        api.op("POST", "/v1/commands")
            .body(
                "{\"session_id\":\""
                    + session
                    + "\",\"command_type\":\"approve\",\"payload\":{\"n\":1},\"idempotency_key\":\"k1\"}")
            .expect(201);
    assertThat(first.get("status").asText()).isEqualTo("received");
    assertThat(first.get("duplicate").asBoolean()).isFalse();
    String id = first.get("command_id").asText();
    api.op("POST", "/v1/commands")
        .body("{\"command_type\":\"a\"}")
        .expectError(400, "INVALID_ARGUMENT");

    String start = "/v1/commands/{command_id}/start";
    String complete = "/v1/commands/{command_id}/complete";
    api.op("POST", complete, id).expectError(422, "UNPROCESSABLE");
    assertThat(api.op("POST", start, id).expect(200).get("status").asText())
        .isEqualTo("processing");
    api.op("POST", start, id).expectError(422, "UNPROCESSABLE");
    JsonNode done = api.op("POST", complete, id).body("{}").expect(200);
    assertThat(done.get("status").asText()).isEqualTo("completed");

    assertThat(api.op("GET", "/v1/commands/{command_id}", id).expect(200)).isEqualTo(done);
    api.op("GET", "/v1/commands/{command_id}", UUID.randomUUID()).expectError(404, "NOT_FOUND");

    String next =
        api.op("POST", "/v1/commands")
            .body("{\"session_id\":\"" + session + "\",\"command_type\":\"approve\"}")
            .expect(201)
            .get("command_id")
            .asText();
    api.op("POST", start, next).expect(200);
    String fail = "/v1/commands/{command_id}/fail";
    api.op("POST", fail, next).body("{}").expectError(400, "INVALID_ARGUMENT");
    assertThat(
            api.op("POST", fail, next)
                .body("{\"error\":\"no\"}")
                .expect(200)
                .get("status")
                .asText())
        .isEqualTo("failed");

    assertThat(
            api.op("GET", "/v1/commands")
                .query("session_id=" + session + "&status=completed")
                .expect(200)
                .get("commands"))
        .extracting(c -> c.get("command_id").asText())
        .containsExactly(id);
    api.op("GET", "/v1/commands").expectError(400, "INVALID_ARGUMENT");
  }

  @Test
  void queueLeasesAndTheDeadLetterQueue() {
    String jobs = "/v1/queues/{queue}/jobs";
    String leases = "/v1/queues/{queue}/leases";
    JsonNode job =
        api.op("POST", jobs, "emails")
            .header("X-Trace-Id", "e2e-trace-1")
            .body("{\"job_type\":\"send\",\"payload\":{\"to\":\"ann@example.com\"},\"priority\":3}")
            .expect(201);
    String id = job.get("job_id").asText();
    assertThat(job.get("status").asText()).isEqualTo("queued");
    assertThat(job.get("trace_id").asText()).isEqualTo("e2e-trace-1");
    assertThat(job.get("duplicate").asBoolean()).isFalse();
    api.op("POST", jobs, "emails").body("{\"payload\":{}}").expectError(400, "INVALID_ARGUMENT");

    long first = lease(leases, "emails", id);
    api.op("POST", leases, "emails").body("{\"max\":0}").expectError(400, "INVALID_ARGUMENT");

    String heartbeat = "/v1/jobs/{job_id}/heartbeat";
    JsonNode extended =
        api.op("POST", heartbeat, id)
            .body("{\"lease_token\":" + first + ",\"extend_s\":60}")
            .expect(200);
    assertThat(extended.get("lease_token").asLong()).isEqualTo(first);
    api.op("POST", heartbeat, id).body("{}").expectError(400, "INVALID_ARGUMENT");

    String release = "/v1/jobs/{job_id}/release";
    assertThat(
            api.op("POST", release, id)
                .body("{\"lease_token\":" + first + "}")
                .expect(200)
                .get("status")
                .asText())
        .isEqualTo("queued");
    api.op("POST", release, id)
        .body("{\"lease_token\":" + first + "}")
        .expectError(409, "LEASE_LOST");

    long second = lease(leases, "emails", id);
    assertThat(second).isNotEqualTo(first);
    String ack = "/v1/jobs/{job_id}/ack";
    assertThat(
            api.op("POST", ack, id)
                .body("{\"lease_token\":" + second + "}")
                .expect(200)
                .get("status")
                .asText())
        .isEqualTo("succeeded");
    api.op("POST", ack, id).body("{\"lease_token\":" + second + "}").expectError(409, "LEASE_LOST");

    JsonNode detail = api.op("GET", "/v1/jobs/{job_id}", id).expect(200);
    assertThat(detail.get("status").asText()).isEqualTo("succeeded");
    assertThat(detail.get("attempts")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(detail.get("dead_letter").isNull()).isTrue();
    api.op("GET", "/v1/jobs/{job_id}", "nope").expectError(400, "INVALID_ID");

    JsonNode queues = api.op("GET", "/v1/queues").expect(200);
    assertThat(queues.get("queues"))
        .filteredOn(q -> q.get("queue").asText().equals("emails"))
        .singleElement()
        .satisfies(q -> assertThat(q.get("succeeded").asLong()).isEqualTo(1));
    api.op("GET", "/v1/queues")
        .header("X-Tenant-Id", "not a tenant!")
        .expectError(400, "INVALID_TENANT");

    // two jobs with one attempt each reach the DLQ; one is redriven, the other purged
    String dead = deadLetter("dead");
    String purged = deadLetter("dead");
    JsonNode dlq =
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> api.op("GET", "/v1/dlq").query("queue=dead").expect(200),
                page -> page.get("items").size() == 2);
    assertThat(dlq.get("items"))
        .extracting(i -> i.get("job_id").asText())
        .containsExactly(dead, purged);
    assertThat(dlq.get("items").get(0).get("last_error").asText()).isEqualTo("smtp down");
    api.op("GET", "/v1/dlq").query("after=" + UUID.randomUUID()).expectError(404, "NOT_FOUND");

    String item = "/v1/dlq/{job_id}";
    JsonNode inspected = api.op("GET", item, dead).expect(200);
    assertThat(inspected.get("dead_letter").get("job_id").asText()).isEqualTo(dead);
    assertThat(inspected.get("status").asText()).isEqualTo("failed");
    api.op("GET", item, UUID.randomUUID()).expectError(404, "NOT_FOUND");

    String redrive = "/v1/dlq/{job_id}/redrive";
    JsonNode again = api.op("POST", redrive, dead).expect(200);
    assertThat(again.get("status").asText()).isEqualTo("queued");
    assertThat(again.get("attempt").asInt()).isZero();
    api.op("POST", redrive, UUID.randomUUID()).expectError(404, "NOT_FOUND");

    assertThat(api.op("DELETE", item, purged).expect(204)).isNull();
    api.op("DELETE", item, purged).expectError(404, "NOT_FOUND");
    assertThat(api.op("GET", "/v1/dlq").query("queue=dead").expect(200).get("items")).isEmpty();
  }

  private long lease(String leases, String queue, String jobId) {
    JsonNode page =
        api.op("POST", leases, queue).body("{\"max\":1,\"visibility_timeout_s\":30}").expect(200);
    assertThat(page.get("leases")).hasSize(1);
    assertThat(page.get("leases").get(0).get("job_id").asText()).isEqualTo(jobId);
    return page.get("leases").get(0).get("lease_token").asLong();
  }

  /** Enqueues a job with one attempt, leases and nacks it: it goes to the DLQ. */
  private String deadLetter(String queue) {
    String id =
        api.op("POST", "/v1/queues/{queue}/jobs", queue)
            .body("{\"job_type\":\"send\",\"max_attempts\":1}")
            .expect(201)
            .get("job_id")
            .asText();
    long token = lease("/v1/queues/{queue}/leases", queue, id);
    String nack = "/v1/jobs/{job_id}/nack";
    api.op("POST", nack, id)
        .body("{\"lease_token\":" + token + ",\"error\":\"smtp down\"}")
        .expect(200);
    api.op("POST", nack, id)
        .body("{\"lease_token\":" + token + ",\"error\":\"again\"}")
        .expectError(409, "LEASE_LOST");
    return id;
  }

  @Test
  void outbox() {
    UUID failed = failedOutboxMessage();
    JsonNode list = api.op("GET", "/v1/outbox").query("status=failed").expect(200);
    assertThat(list.get("messages"))
        .filteredOn(m -> m.get("message_id").asText().equals(failed.toString()))
        .singleElement()
        .satisfies(m -> assertThat(m.get("last_error").asText()).isEqualTo("broker says no"));
    api.op("GET", "/v1/outbox").query("status=odd").expectError(400, "INVALID_ARGUMENT");

    String replay = "/v1/outbox/{message_id}/replay";
    JsonNode replayed = api.op("POST", replay, failed).expect(200);
    assertThat(replayed.get("status").asText()).isEqualTo("pending");
    api.op("POST", replay, failed).expectError(422, "UNPROCESSABLE");
  }

  /**
   * A FAILED outbox message of the tenant: added and marked through the library on the server's own
   * store (no HTTP operation adds one); retried if the server's relay published it first.
   */
  private UUID failedOutboxMessage() {
    // why only the store: the outbox is SQL, and the server has migrated it and owns the queue
    Map<String, String> store = new HashMap<>(env);
    store.remove("FLOWSTORE_QUEUE_BACKEND");
    store.remove("FLOWSTORE_CACHE");
    store.remove("REDIS_DSN");
    store.put("FLOWSTORE_MIGRATE_ON_START", "false");
    try (Flowstore library = Flowstore.open(FlowstoreConfig.fromMap(store))) {
      TenantId tenant = TenantId.of(TENANT);
      ObjectNode payload = Api.JSON.createObjectNode().put("n", 1);
      for (int i = 0; i < 5; i++) {
        OutboxMessage m =
            library.inTransaction(
                tenant, tx -> tx.outbox().add("queue:e2e-outbox", payload, null, null));
        if (library.outbox(tenant).markFailed(m.messageId(), "broker says no", null))
          return m.messageId();
      }
      throw new AssertionError(
          "the relay published every message before it could be marked failed");
    }
  }

  @Test
  void audit() {
    // the DLQ writes audit entries of its own; this job makes sure there is one whatever ran first
    deadLetter("audited");
    JsonNode entries =
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> api.op("GET", "/v1/audit").query("resource_type=job&limit=100").expect(200),
                page -> !page.get("entries").isEmpty());
    JsonNode entry = entries.get("entries").get(0);
    assertThat(entry.get("seq").asLong()).isPositive();
    assertThat(entry.get("hash").asText()).hasSize(64);
    api.op("GET", "/v1/audit").query("from=yesterday").expectError(400, "INVALID_ARGUMENT");

    JsonNode verified = api.op("GET", "/v1/audit/verify").expect(200);
    assertThat(verified.get("ok").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("checked").asLong()).isPositive();
    api.op("GET", "/v1/audit/verify")
        .header("X-Tenant-Id", "not a tenant!")
        .expectError(400, "INVALID_TENANT");
  }

  @Test
  void collectionsAndRecords() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String tickets = "tickets_" + suffix;
    String comments = "comments_" + suffix;
    JsonNode declared =
        api.op("POST", "/v1/collections")
            .body(
                "{\"name\":\""
                    + tickets
                    + "\",\"schema\":{\"type\":\"object\",\"required\":[\"status\"],\"properties\":{\"status\":{\"enum\":[\"open\",\"pending\",\"closed\"]}}},"
                    + "\"indexed\":[{\"pointer\":\"/status\",\"type\":\"string\"},{\"pointer\":\"/priority\",\"type\":\"number\"},{\"pointer\":\"/ref\",\"type\":\"string\"}],\"unique\":[\"/ref\"],\"full_text\":[\"/title\"]}")
            .expect(200);
    assertThat(declared.get("version").asInt()).isEqualTo(1);
    assertThat(declared.get("full_text").get(0).asText()).isEqualTo("/title");
    assertThat(declared.get("ready").asBoolean()).isTrue();
    assertThat(declared.get("full_text_ready").asBoolean()).isTrue();
    api.op("POST", "/v1/collections")
        .body("{\"name\":\"" + comments + "\",\"parent\":\"" + tickets + "\"}")
        .expect(200);
    api.op("POST", "/v1/collections")
        .body("{\"name\":\"x\",\"indexed\":[{\"pointer\":\"status\",\"type\":\"string\"}]}")
        .expectError(400, "INVALID_ARGUMENT");
    assertThat(api.op("GET", "/v1/collections").expect(200).get("collections"))
        .extracting(c -> c.get("name").asText())
        .contains(tickets, comments);
    api.op("GET", "/v1/collections")
        .header("X-Tenant-Id", "Bad!")
        .expectError(400, "INVALID_TENANT");
    assertThat(
            api.op("GET", "/v1/collections/{collection}", comments)
                .expect(200)
                .get("parent")
                .asText())
        .isEqualTo(tickets);
    api.op("GET", "/v1/collections/{collection}", "no_such_" + suffix)
        .expectError(404, "NOT_FOUND");

    String records = "/v1/collections/{collection}/records";
    JsonNode created =
        api.op("POST", records, tickets)
            .body(
                "{\"id\":\"TKT-1\",\"data\":{\"status\":\"open\",\"priority\":3,\"ref\":\"EXT-1\",\"title\":\"Printer jam\"}}")
            .expect(201);
    assertThat(created.get("version").asLong()).isZero();
    api.op("POST", records, tickets)
        .body("{\"id\":\"TKT-2\",\"data\":{\"status\":\"pending\",\"priority\":5}}")
        .expect(201);
    api.op("POST", records, tickets)
        .body("{\"id\":\"TKT-3\",\"data\":{\"status\":\"open\",\"ref\":\"EXT-1\"}}")
        .expectError(409, "ALREADY_EXISTS");
    JsonNode schemaError =
        api.op("POST", records, tickets)
            .body("{\"id\":\"TKT-3\",\"data\":{\"status\":\"lost\"}}")
            .expectError(400, "INVALID_ARGUMENT");
    assertThat(schemaError.get("message").asText()).contains("/status");

    JsonNode page =
        api.op("GET", records, tickets)
            .query(
                "where=/priority:gte:3;/status:in:open,pending&sort_by=/priority&order=desc&with_count=true")
            .expect(200);
    assertThat(page.get("records"))
        .extracting(r -> r.get("id").asText())
        .containsExactly("TKT-2", "TKT-1");
    assertThat(page.get("count").asLong()).isEqualTo(2);
    api.op("GET", records, tickets).query("where=/nope:eq:x").expectError(400, "INVALID_ARGUMENT");
    // full-text search: words of /title, the term's quotes and operators no syntax
    JsonNode found =
        api.op("GET", records, tickets)
            .query("q=%22JAM%22%20printer*%20-&with_count=true")
            .expect(200);
    assertThat(found.get("records")).extracting(r -> r.get("id").asText()).containsExactly("TKT-1");
    assertThat(found.get("count").asLong()).isEqualTo(1);
    api.op("GET", records, comments).query("q=jam").expectError(400, "INVALID_ARGUMENT");
    JsonNode first = api.op("GET", records, tickets).query("limit=1").expect(200);
    JsonNode second =
        api.op("GET", records, tickets)
            .query("limit=1&cursor=" + first.get("next_cursor").asText())
            .expect(200);
    assertThat(second.get("records").get(0).get("id").asText()).isEqualTo("TKT-2");

    String one = records + "/{record_id}";
    JsonNode replaced =
        api.op("PUT", one, tickets, "TKT-1")
            .body(
                "{\"expected_version\":0,\"data\":{\"status\":\"pending\",\"priority\":3,\"ref\":\"EXT-1\"}}")
            .expect(200);
    assertThat(replaced.get("version").asLong()).isEqualTo(1);
    api.op("PUT", one, tickets, "TKT-1")
        .body("{\"expected_version\":0,\"data\":{\"status\":\"open\"}}")
        .expectError(409, "VERSION_CONFLICT");
    JsonNode patched =
        api.op("PATCH", one, tickets, "TKT-1")
            .body("{\"expected_version\":1,\"patch\":{\"status\":\"closed\",\"priority\":null}}")
            .expect(200);
    assertThat(patched.get("data").has("priority")).isFalse();
    api.op("PATCH", one, tickets, "TKT-1")
        .body("{\"expected_version\":\"two\",\"patch\":{}}")
        .expectError(400, "INVALID_ARGUMENT");
    assertThat(
            api.op("GET", one, tickets, "TKT-1")
                .query("as_of_version=0")
                .expect(200)
                .get("data")
                .get("status")
                .asText())
        .isEqualTo("open");
    api.op("GET", one, tickets, "TKT-9").expectError(404, "NOT_FOUND");

    String archive = one + "/archive";
    assertThat(
            api.op("POST", archive, tickets, "TKT-1")
                .body("{\"expected_version\":2}")
                .expect(200)
                .get("archived")
                .asBoolean())
        .isTrue();
    api.op("POST", archive, tickets, "TKT-1")
        .body("{\"expected_version\":3,\"archived\":true}")
        .expectError(422, "UNPROCESSABLE");

    JsonNode history = api.op("GET", one + "/history", tickets, "TKT-1").expect(200);
    assertThat(history.get("events"))
        .extracting(e -> e.get("type").asText())
        .containsExactly("record.created", "record.replaced", "record.patched", "record.archived");
    assertThat(
            history
                .get("events")
                .get(2)
                .get("payload")
                .get("indexed")
                .get("/status")
                .get("before")
                .asText())
        .isEqualTo("pending");
    api.op("GET", one + "/history", tickets, "TKT-9").expectError(404, "NOT_FOUND");

    String children = one + "/children";
    api.op("POST", records, comments)
        .body("{\"id\":\"c-1\",\"parent_id\":\"TKT-2\",\"data\":{\"text\":\"rebooted\"}}")
        .expect(201);
    assertThat(
            api.op("GET", children, tickets, "TKT-2")
                .query("collection=" + comments)
                .expect(200)
                .get("records"))
        .extracting(r -> r.get("id").asText())
        .containsExactly("c-1");
    api.op("GET", children, tickets, "TKT-2").expectError(400, "INVALID_ARGUMENT");

    api.op("DELETE", one, tickets, "TKT-2")
        .query("expected_version=0")
        .expectError(422, "UNPROCESSABLE");
    assertThat(api.op("DELETE", one, comments, "c-1").query("expected_version=0").expect(204))
        .isNull();
    assertThat(api.op("DELETE", one, tickets, "TKT-2").query("expected_version=0").expect(204))
        .isNull();
    api.op("GET", one, tickets, "TKT-2").expectError(404, "NOT_FOUND");
  }

  /** Whether the deployment reads records through the Redis record cache. */
  boolean recordCache() {
    return false;
  }

  /**
   * The lookup by a unique value (a pointer with a slash inside, a value with URL metacharacters,
   * through the record cache when the deployment has it) and the actor of each records write.
   */
  @Test
  void recordsByUniqueValueAndTheirActor() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String agents = "agents_" + suffix;
    api.op("POST", "/v1/collections")
        .body(
            "{\"name\":\""
                + agents
                + "\",\"indexed\":[{\"pointer\":\"/username\",\"type\":\"string\"},"
                + "{\"pointer\":\"/profile/badge\",\"type\":\"number\"},"
                + "{\"pointer\":\"/team\",\"type\":\"string\"}],"
                + "\"unique\":[\"/username\",\"/profile/badge\"]}")
        .expect(200);
    String records = "/v1/collections/{collection}/records";
    JsonNode ann =
        api.op("POST", records, agents)
            .header("X-Actor", "user:admin")
            .body(
                "{\"id\":\"A-1\",\"data\":{\"username\":\"ann&co/x y\",\"profile\":{\"badge\":7}}}")
            .expect(201);
    String unique = "/v1/collections/{collection}/unique";
    double hits = metric("flowstore_cache_records_hits_total");
    assertThat(
            api.op("GET", unique, agents)
                .query("field=/username&value=ann%26co%2Fx%20y")
                .expect(200))
        .isEqualTo(ann);
    assertThat(
            api.op("GET", unique, agents)
                .query("field=%2Fusername&value=ann%26co%2Fx%20y")
                .expect(200))
        .isEqualTo(ann);
    if (recordCache()) assertThat(metric("flowstore_cache_records_hits_total")).isGreaterThan(hits);
    assertThat(api.op("GET", unique, agents).query("field=/profile/badge&value=7").expect(200))
        .isEqualTo(ann);
    api.op("GET", unique, agents)
        .query("field=/profile/badge&value=seven")
        .expectError(400, "INVALID_ARGUMENT");
    api.op("GET", unique, agents).query("field=/team&value=x").expectError(400, "INVALID_ARGUMENT");
    api.op("GET", unique, agents).query("field=/username&value=bob").expectError(404, "NOT_FOUND");
    api.op("GET", unique, "no_such_" + suffix)
        .query("field=/username&value=ann")
        .expectError(404, "NOT_FOUND");

    String one = records + "/{record_id}";
    api.op("PATCH", one, agents, "A-1")
        .header("X-Actor", "agent:triage-bot")
        .body("{\"expected_version\":0,\"patch\":{\"team\":\"blue\"}}")
        .expect(200);
    JsonNode refused =
        api.op("PATCH", one, agents, "A-1")
            .header("X-Actor", "x".repeat(201))
            .body("{\"expected_version\":1,\"patch\":{\"team\":\"red\"}}")
            .expectError(400, "INVALID_ARGUMENT");
    assertThat(refused.get("message").asText()).contains("X-Actor");
    api.op("POST", one + "/archive", agents, "A-1").body("{\"expected_version\":1}").expect(200);
    JsonNode events = api.op("GET", one + "/history", agents, "A-1").expect(200).get("events");
    assertThat(events)
        .extracting(e -> e.get("metadata").path("actor").asText("(none)"))
        .containsExactly("user:admin", "agent:triage-bot", "(none)");
  }

  /** The sum of a Prometheus counter's samples on /metrics (0 when it has none). */
  private double metric(String name) {
    double sum = 0;
    for (String line : api.op("GET", "/metrics").send().body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{"))
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  @Test
  void operations() {
    assertThat(api.op("GET", "/health/live").expect(200).get("status").asText()).isEqualTo("up");
    JsonNode ready = api.op("GET", "/health/ready").expect(200);
    assertThat(ready.get("status").asText()).isEqualTo("ready");
    assertThat(ready.get("backend").asText()).isNotBlank().doesNotContain("password");
    Api.Response metrics = api.op("GET", "/metrics").send();
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("http_server_requests_seconds");
    Api.Response document = api.op("GET", "/openapi.yaml").send();
    assertThat(document.status()).isEqualTo(200);
    assertThat(document.contentType()).startsWith("application/yaml");
    try {
      assertThat(document.body())
          .isEqualTo(Files.readString(ServerProcess.repoRoot().resolve(Coverage.OPENAPI)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The write freeze, switched by the CLI (another process on the same database) and by the admin
   * endpoint: writes are 503 MAINTENANCE with Retry-After, reads, health and metrics go on.
   */
  @Test
  void maintenanceFreezesTheServersWritesAndKeepsItsReads() {
    String append = "/v1/streams/{stream}/events";
    String event = "{\"events\": [{\"type\": \"x\", \"payload\": {}}]}";
    Path cli = workDir.resolve("cli");
    JsonNode off = api.op("GET", "/admin/maintenance").expect(200);
    assertThat(off.get("enabled").asBoolean()).isFalse();
    try {
      ServerProcess.Run on =
          ServerProcess.run(cli, env, "maintenance", "on", "--reason", "e2e freeze");
      assertThat(on.code()).as(on.output()).isZero();
      assertThat(on.output()).contains("maintenance: on since", "e2e freeze");
      // the server re-reads the flag at most a second after it changed
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> api.op("POST", append, "frozen").body(event).send().status() == 503);
      Api.Response refused = api.op("POST", append, "frozen").body(event).send();
      Api.assertError(refused, 503, "MAINTENANCE");
      assertThat(refused.headers().firstValue("Retry-After")).contains("30");
      assertThat(refused.json().at("/error/message").asText()).contains("e2e freeze");
      api.op("GET", append, "frozen").expect(200);
      assertThat(api.op("GET", "/v1/audit/verify").expect(200).get("ok").asBoolean()).isTrue();
      assertThat(api.op("GET", "/v1/dlq").expect(200)).isNotNull();
      JsonNode ready = api.op("GET", "/health/ready").expect(200);
      assertThat(ready.at("/maintenance/enabled").asBoolean()).isTrue();
      assertThat(ready.at("/maintenance/reason").asText()).isEqualTo("e2e freeze");
      assertThat(api.op("GET", "/metrics").send().body()).contains("flowstore_maintenance 1.0");
      JsonNode state = api.op("GET", "/admin/maintenance").expect(200);
      assertThat(state.get("enabled").asBoolean()).isTrue();
      api.op("PUT", "/admin/maintenance")
          .body("{\"enabled\": \"yes\"}")
          .expectError(400, "INVALID_ARGUMENT");
    } finally {
      JsonNode lifted =
          api.op("PUT", "/admin/maintenance").body("{\"enabled\": false}").expect(200);
      assertThat(lifted.get("enabled").asBoolean()).isFalse();
    }
    api.op("POST", append, "frozen").body(event).expect(201);
    ServerProcess.Run status = ServerProcess.run(cli, env, "maintenance", "status");
    assertThat(status.output()).as(status.output()).contains("maintenance: off");
    assertThat(api.op("GET", "/metrics").send().body()).contains("flowstore_maintenance 0.0");
  }

  /**
   * The switch runbook through the launcher, on this deployment's database: freeze, copy it into a
   * new SQLite directory, compare (equal, exit 0), lift the freeze. (Later, so earlier tests left
   * rows in most tables.)
   */
  @Test
  @Order(Integer.MAX_VALUE - 1)
  void copyAndCompareThroughTheLauncherUnderMaintenance() {
    String source =
        env.containsKey("POSTGRES_DSN")
            ? env.get("POSTGRES_DSN")
                + (env.get("POSTGRES_DSN").contains("?") ? "&" : "?")
                + "schema="
                + env.get("POSTGRES_SCHEMA")
            : "sqlite:" + env.get("FLOWSTORE_DATA_DIR");
    String target = "sqlite:" + workDir.resolve("copy");
    Path cli = workDir.resolve("cli");
    // the Redis queue's deployment is named with its queue: its jobs are copied into SQLite's
    boolean redis = "redis".equals(env.get("FLOWSTORE_QUEUE_BACKEND"));
    String queue =
        redis
            ? env.get("REDIS_DSN")
                + (env.get("REDIS_DSN").contains("?") ? "&" : "?")
                + "env="
                + env.get("FLOWSTORE_ENV")
            : null;
    try {
      ServerProcess.Run on = ServerProcess.run(cli, env, "maintenance", "on", "--reason", "copy");
      assertThat(on.code()).as(on.output()).isZero();
      List<String> copyArgs = new ArrayList<>(List.of("copy", "--from", source, "--to", target));
      if (redis) copyArgs.addAll(List.of("--from-queue", queue));
      ServerProcess.Run copy = ServerProcess.run(cli, Map.of(), copyArgs.toArray(String[]::new));
      assertThat(copy.code()).as(copy.output()).isZero();
      assertThat(copy.output())
          .containsPattern("copy: (\\d+)/\\1 rows \\(100%\\)")
          .containsPattern("copied [1-9]\\d* rows")
          .doesNotContain("not in maintenance");
      if (redis) assertThat(copy.output()).contains("[jobs (queue), tenant ");
      List<String> compareArgs = new ArrayList<>(List.of("compare", "--json", source, target));
      if (redis) compareArgs.addAll(List.of("--queue-a", queue));
      ServerProcess.Run compare =
          ServerProcess.run(cli, Map.of(), compareArgs.toArray(String[]::new));
      assertThat(compare.code()).as(compare.output()).isZero();
      assertThat(compare.output()).contains("\"equal\":true");
      long jobs = 0;
      String line =
          compare
              .output()
              .lines()
              .filter(l -> l.startsWith("{\"equal\""))
              .findFirst()
              .orElseThrow();
      JsonNode report;
      try {
        report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      for (JsonNode t : report.get("tables"))
        if (t.get("table").asText().equals("jobs")) jobs += t.get("count_b").asLong();
      assertThat(jobs).as("jobs copied (the suite enqueued some)").isPositive();
    } finally {
      ServerProcess.run(cli, env, "maintenance", "off");
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> api.op("GET", "/admin/maintenance").expect(200).get("enabled").asBoolean(),
            on -> !on);
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void everyOperationWasExercised() {
    assertThat(coverage.size()).as("operations in openapi.yaml").isGreaterThanOrEqualTo(62);
    List<String> missing = coverage.missing();
    assertThat(missing)
        .as(
            "operations of openapi.yaml this suite did not exercise (with a 2xx, and with a 4xx"
                + " where the document declares one); exempt from the 4xx: %s",
            coverage.without4xx())
        .isEmpty();
  }
}
