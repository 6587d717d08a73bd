package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Steps, checkpoints, nodes, tasks, resume handles and commands over real HTTP: each route's happy
 * path, duplicates (200 with the stored record), exactly-once resume, illegal transitions (422),
 * bad input that writes nothing, and tenancy.
 */
abstract class WorkflowRecordsHttpContract extends ServerTestBase {

  @Test
  void stepsRecordOnceCheckFinishAndList() {
    Http t = tenant(unique("t"));
    String steps = "/v1/sessions/" + UUID.randomUUID() + "/steps";
    String a1 = steps + "/fetch/attempts/1";

    Http.Response first = t.put(a1, "{\"input\":{\"url\":\"u\"}}");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.json().get("duplicate").asBoolean()).isFalse();
    assertThat(first.json().get("status").asText()).isEqualTo("running");
    Http.Response again = t.put(a1, "{\"status\":\"succeeded\",\"output\":{}}");
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();
    assertThat(again.json().get("status").asText()).isEqualTo("running");
    assertThat(again.json().get("input").get("url").asText()).isEqualTo("u");
    ObjectNode stored = (ObjectNode) first.json();
    stored.remove("duplicate");
    assertThat(t.get(a1).json()).isEqualTo(stored);
    assertCode(t.get(steps + "/fetch/attempts/2"), 404, "NOT_FOUND");

    JsonNode done =
        t.post(a1 + "/finish", "{\"status\":\"succeeded\",\"output\":{\"n\":2}}").json();
    assertThat(done.get("status").asText()).isEqualTo("succeeded");
    assertThat(done.get("result_hash").asText()).hasSize(64);
    assertThat(done.get("finished_at").isNull()).isFalse();
    assertCode(t.post(a1 + "/finish", "{\"status\":\"failed\"}"), 422, "UNPROCESSABLE");
    assertCode(
        t.post(steps + "/fetch/attempts/9/finish", "{\"status\":\"failed\"}"), 404, "NOT_FOUND");

    Http.Response log =
        t.put(steps + "/send/attempts/1", "{\"status\":\"failed\",\"error\":\"x\"}");
    assertThat(log.status()).as(log.text()).isEqualTo(201);
    JsonNode list = t.get(steps).json().get("steps");
    assertThat(list).hasSize(2);
    assertThat(list.get(0)).isEqualTo(t.get(a1).json());
    assertThat(list.get(1).get("error").asText()).isEqualTo("x");
    assertThat(t.get(steps + "?limit=1").json().get("steps")).hasSize(1);
  }

  @Test
  void checkpointsSaveListLatestGetAndResolveATokenInTheTenantOnly() {
    String tenantName = unique("t");
    Http t = tenant(tenantName);
    String cps = "/v1/sessions/" + UUID.randomUUID() + "/checkpoints";
    assertCode(t.get(cps + "/latest"), 404, "NOT_FOUND");
    String root = "{\"checkpoint_id\":\"c1\",\"data\":{\"n\":1},\"metadata\":{\"by\":\"w\"}}";
    Http.Response c1 = t.post(cps, root);
    assertThat(c1.status()).as(c1.text()).isEqualTo(201);
    Http.Response retry = t.post(cps, root);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.json()).isEqualTo(c1.json());
    assertCode(t.post(cps, "{\"checkpoint_id\":\"c1\",\"data\":{\"n\":9}}"), 422, "UNPROCESSABLE");
    assertCode(
        t.post(cps, "{\"parent_checkpoint_id\":\"nope\",\"data\":{}}"), 422, "UNPROCESSABLE");
    String blob = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255});
    JsonNode c2 =
        t.post(
                cps,
                "{\"parent_checkpoint_id\":\"c1\",\"data\":{\"n\":2},\"bytes\":\"" + blob + "\"}")
            .json();
    assertThat(c2.get("checkpoint_id").asText()).hasSize(36);
    assertThat(c2.get("bytes").asText()).isEqualTo(blob);
    assertThat(c2.get("sequence").asLong()).isGreaterThan(c1.json().get("sequence").asLong());

    assertThat(t.get(cps + "/latest").json()).isEqualTo(c2);
    assertThat(t.get(cps + "/c1").json()).isEqualTo(c1.json());
    assertCode(t.get(cps + "/c3"), 404, "NOT_FOUND");
    JsonNode page1 = t.get(cps + "?limit=1").json();
    assertThat(page1.get("checkpoints").get(0)).isEqualTo(c2);
    JsonNode page2 = t.get(cps + "?limit=1&before=" + page1.get("next_before").asLong()).json();
    assertThat(page2.get("checkpoints").get(0)).isEqualTo(c1.json());
    assertThat(t.get(cps).json().get("next_before").isNull()).isTrue();

    String token = c1.json().get("resume_token").asText();
    assertThat(t.get("/v1/checkpoints/resume?token=" + token).json()).isEqualTo(c1.json());
    assertCode(tenant(unique("o")).get("/v1/checkpoints/resume?token=" + token), 404, "NOT_FOUND");
    assertCode(t.get("/v1/checkpoints/resume?token=garbage"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/checkpoints/resume"), 400, "INVALID_ARGUMENT");
  }

  @Test
  void nodesRegisterAsAnUpsertGetAndListByType() {
    Http t = tenant(unique("t"));
    Http.Response hook =
        t.put(
            "/v1/nodes/notify",
            "{\"node_type\":\"webhook\",\"name\":\"Notify\",\"endpoint\":\"https://example.com/h\"}");
    assertThat(hook.status()).as(hook.text()).isEqualTo(200);
    assertThat(hook.json().get("node_type").asText()).isEqualTo("webhook");
    assertThat(hook.json().get("status").asText()).isEqualTo("active");
    JsonNode renamed =
        t.put(
                "/v1/nodes/notify",
                "{\"node_type\":\"webhook\",\"name\":\"Notify 2\",\"endpoint\":\"https://example.com/h\",\"status\":\"disabled\"}")
            .json();
    assertThat(renamed.get("name").asText()).isEqualTo("Notify 2");
    assertThat(renamed.get("created_at")).isEqualTo(hook.json().get("created_at"));
    t.put("/v1/nodes/add", "{\"node_type\":\"builtin\",\"name\":\"Add\",\"param_schema\":{}}");
    t.put("/v1/nodes/mul", "{\"node_type\":\"builtin\",\"name\":\"Mul\"}");

    assertThat(t.get("/v1/nodes/notify").json()).isEqualTo(renamed);
    Http.Response slash =
        t.put("/v1/nodes/team%2Fmul", "{\"node_type\":\"builtin\",\"name\":\"M\"}");
    assertThat(slash.json().get("node_id").asText()).as(slash.text()).isEqualTo("team/mul");
    assertThat(t.get("/v1/nodes/team%2Fmul").json()).isEqualTo(slash.json());
    assertCode(t.get("/v1/nodes/none"), 404, "NOT_FOUND");
    assertThat(t.get("/v1/nodes?type=webhook").json().get("nodes")).hasSize(1);
    JsonNode p1 = t.get("/v1/nodes?type=builtin&limit=1").json();
    assertThat(p1.get("nodes").get(0).get("node_id").asText()).isEqualTo("add");
    JsonNode p2 = t.get("/v1/nodes?limit=5&after=" + p1.get("next_after").asText()).json();
    assertThat(p2.get("nodes"))
        .extracting(n -> n.get("node_id").asText())
        .containsExactly("mul", "notify", "team/mul");
    assertThat(p2.get("next_after").isNull()).isTrue();
  }

  @Test
  void tasksFollowTheirStateMachine() {
    Http t = tenant(unique("t"));
    String session = UUID.randomUUID().toString();
    Http.Response created =
        t.post("/v1/tasks", "{\"task_type\":\"render\",\"session_id\":\"" + session + "\"}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String task = "/v1/tasks/" + created.json().get("task_id").asText();
    assertThat(created.json().get("status").asText()).isEqualTo("pending");
    assertCode(t.post(task + "/progress", "{\"progress\":5}"), 422, "UNPROCESSABLE");
    assertThat(t.post(task + "/start", null).json().get("status").asText()).isEqualTo("running");
    assertThat(
            t.post(task + "/progress", "{\"progress\":12.345}")
                .json()
                .get("progress")
                .decimalValue())
        .isEqualByComparingTo("12.35");
    assertCode(t.post(task + "/progress", "{\"progress\":100.5}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(task + "/progress", "{\"progress\":\"7\"}"), 400, "INVALID_ARGUMENT");
    JsonNode done = t.post(task + "/complete", "{\"result\":{\"url\":\"r\"}}").json();
    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(done.get("progress").decimalValue()).isEqualByComparingTo("100");
    assertCode(t.post(task + "/start", "{}"), 422, "UNPROCESSABLE");
    assertCode(t.post(task + "/cancel", null), 422, "UNPROCESSABLE");
    assertCode(t.post(task + "/fail", "{\"error\":\"late\"}"), 422, "UNPROCESSABLE");
    assertThat(t.get(task).json()).isEqualTo(done);

    String other =
        "/v1/tasks/" + t.post("/v1/tasks", "{\"task_type\":\"x\"}").json().get("task_id").asText();
    t.post(other + "/start", "");
    assertCode(t.post(other + "/fail", "{}"), 400, "INVALID_ARGUMENT");
    JsonNode failed = t.post(other + "/fail", "{\"error\":\"boom\"}").json();
    assertThat(failed.get("error").asText()).isEqualTo("boom");
    String third =
        "/v1/tasks/" + t.post("/v1/tasks", "{\"task_type\":\"x\"}").json().get("task_id").asText();
    assertThat(t.post(third + "/cancel", null).json().get("status").asText())
        .isEqualTo("cancelled");

    assertThat(t.get("/v1/tasks").json().get("tasks")).hasSize(3);
    assertThat(t.get("/v1/tasks?session_id=" + session).json().get("tasks").get(0)).isEqualTo(done);
    assertThat(t.get("/v1/tasks?status=failed").json().get("tasks").get(0)).isEqualTo(failed);
    assertThat(t.get("/v1/tasks?status=running").json().get("tasks")).isEmpty();
  }

  @Test
  void aResumeSucceedsExactlyOnceAndAnEarlyResumeIsKept() {
    Http t = tenant(unique("t"));
    String session = UUID.randomUUID().toString();
    Http.Response created = t.post("/v1/resume-handles", handle(session, "ticket-1", null));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().get("status").asText()).isEqualTo("pending_pause");
    String id = created.json().get("handle_id").asText();
    assertCode(
        t.post("/v1/resume-handles", handle(session, "ticket-1", null)), 422, "UNPROCESSABLE");
    JsonNode paused = t.post("/v1/resume-handles/" + id + "/paused", null).json();
    assertThat(paused.get("status").asText()).isEqualTo("paused");
    assertCode(t.post("/v1/resume-handles/" + id + "/paused", null), 422, "UNPROCESSABLE");
    assertThat(
            t.get("/v1/resume-handles?correlation_id=ticket-1").json().get("resume_handles").get(0))
        .isEqualTo(paused);

    Http.Response won =
        t.post("/v1/resume-handles/ticket-1/resume", "{\"payload\":{\"answer\":\"yes\"}}");
    assertThat(won.status()).as(won.text()).isEqualTo(200);
    assertThat(won.json().get("status").asText()).isEqualTo("resumed");
    assertThat(won.json().get("resume_payload").get("answer").asText()).isEqualTo("yes");
    assertThat(won.json().get("resumed_before_pause").asBoolean()).isFalse();
    assertCode(
        t.post("/v1/resume-handles/ticket-1/resume", "{\"payload\":{\"answer\":\"no\"}}"),
        422,
        "UNPROCESSABLE");
    assertThat(t.get("/v1/resume-handles/" + id).json()).isEqualTo(won.json());
    assertCode(t.post("/v1/resume-handles/ticket-9/resume", null), 404, "NOT_FOUND");
    assertThat(t.get("/v1/resume-handles?correlation_id=ticket-1").json().get("resume_handles"))
        .isEmpty();

    String early =
        t.post("/v1/resume-handles", handle(session, "ticket-2", Instant.now().plusSeconds(600)))
            .json()
            .get("handle_id")
            .asText();
    JsonNode resumed = t.post("/v1/resume-handles/ticket-2/resume", "").json();
    assertThat(resumed.get("resumed_before_pause").asBoolean()).isTrue();
    JsonNode kept = t.post("/v1/resume-handles/" + early + "/paused", "{}").json();
    assertThat(kept.get("status").asText()).isEqualTo("resumed");
    assertThat(kept.get("resume_payload")).isEqualTo(resumed.get("resume_payload"));
    assertThat(t.get("/v1/resume-handles?session_id=" + session).json().get("resume_handles"))
        .hasSize(2);
  }

  @Test
  void aDuplicateCommandReturnsTheExistingOneWith200() {
    Http t = tenant(unique("t"));
    String session = UUID.randomUUID().toString();
    Http.Response first = t.post("/v1/commands", command(session, "approve", "{\"n\":1}", "k1"));
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.json().get("duplicate").asBoolean()).isFalse();
    assertThat(first.json().get("status").asText()).isEqualTo("received");
    String id = first.json().get("command_id").asText();
    Http.Response dup = t.post("/v1/commands", command(session, "approve", "{\"n\":2}", null));
    assertThat(dup.status()).as(dup.text()).isEqualTo(200);
    assertThat(dup.json().get("duplicate").asBoolean()).isTrue();
    assertThat(dup.json().get("command_id").asText()).isEqualTo(id);
    assertThat(dup.json().get("payload").get("n").asInt()).isEqualTo(1);
    assertCode(
        t.post("/v1/commands", command(session, "approve", "{\"n\":3}", "k1")),
        422,
        "IDEMPOTENCY_KEY_REUSED");

    String cmd = "/v1/commands/" + id;
    assertCode(t.post(cmd + "/complete", null), 422, "UNPROCESSABLE");
    assertThat(t.post(cmd + "/start", null).json().get("status").asText()).isEqualTo("processing");
    assertCode(t.post(cmd + "/start", null), 422, "UNPROCESSABLE");
    JsonNode done = t.post(cmd + "/complete", "{}").json();
    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(t.get(cmd).json()).isEqualTo(done);
    Http.Response replay = t.post("/v1/commands", command(session, "approve", "{\"n\":1}", "k1"));
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().get("command_id").asText()).isEqualTo(id);

    Http.Response next = t.post("/v1/commands", command(session, "approve", null, null));
    assertThat(next.status()).isEqualTo(201);
    String cmd2 = "/v1/commands/" + next.json().get("command_id").asText();
    t.post(cmd2 + "/start", null);
    assertCode(t.post(cmd2 + "/fail", "{}"), 400, "INVALID_ARGUMENT");
    assertThat(t.post(cmd2 + "/fail", "{\"error\":\"no\"}").json().get("status").asText())
        .isEqualTo("failed");
    assertThat(t.get("/v1/commands?session_id=" + session).json().get("commands")).hasSize(2);
    assertThat(
            t.get("/v1/commands?session_id=" + session + "&status=completed")
                .json()
                .get("commands"))
        .hasSize(1);
  }

  @Test
  void badInputGetsAStableCodeAndWritesNothing() {
    Http t = tenant(unique("t"));
    String s = UUID.randomUUID().toString();
    String attempt = "/v1/sessions/" + s + "/steps/fetch/attempts/";
    String big = "{\"input\":{\"k\":\"" + "x".repeat(5 * MAX_PAYLOAD) + "\"}}";
    assertCode(t.put(attempt + "0", "{}"), 400, "INVALID_ARGUMENT");
    assertCode(t.put(attempt + "x", "{}"), 400, "INVALID_ARGUMENT");
    assertCode(t.put("/v1/sessions/nope/steps/fetch/attempts/1", "{}"), 400, "INVALID_ID");
    assertCode(t.put("/v1/sessions/" + s + "/steps/%20x/attempts/1", "{}"), 400, "INVALID_ID");
    assertCode(t.put(attempt + "1", "{\"inptu\":{}}"), 400, "INVALID_ARGUMENT");
    assertCode(t.put(attempt + "1", "{\"status\":\"sleeping\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.put(attempt + "1", "{\"output\":{}}"), 400, "INVALID_ARGUMENT");
    assertCode(t.put(attempt + "1", "{\"input\":[1]}"), 400, "INVALID_JSON");
    assertCode(t.put(attempt + "1", "{\"input\":{\"k\":\"\\u0000\"}}"), 400, "INVALID_JSON");
    assertCode(t.put(attempt + "1", "{bad"), 400, "INVALID_JSON");
    assertCode(t.put(attempt + "1", big), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.get("/v1/sessions/" + s + "/steps?limit=-1"), 400, "INVALID_ARGUMENT");
    assertThat(t.get("/v1/sessions/" + s + "/steps").json().get("steps")).isEmpty();

    String cps = "/v1/sessions/" + s + "/checkpoints";
    assertCode(t.post(cps, "{}"), 400, "INVALID_JSON");
    assertCode(t.post(cps, "{\"data\":{},\"bytes\":\"%%\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(cps, "{\"data\":{},\"checkpoint_id\":\"a b\"}"), 400, "INVALID_ID");
    assertCode(t.post(cps, "{\"data\":{},\"extra\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.get(cps + "?before=-1"), 400, "INVALID_ARGUMENT");
    assertCode(t.get(cps + "?limit=0"), 400, "INVALID_ARGUMENT");
    assertThat(t.get(cps).json().get("checkpoints")).isEmpty();

    assertCode(
        t.put(
            "/v1/nodes/n1", "{\"node_type\":\"builtin\",\"name\":\"N\",\"endpoint\":\"http://h\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.put(
            "/v1/nodes/n1", "{\"node_type\":\"webhook\",\"name\":\"N\",\"endpoint\":\"ftp://h\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.put(
            "/v1/nodes/n1",
            "{\"node_type\":\"builtin\",\"name\":\"N\",\"param_schema\":{\"type\":3}}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.put("/v1/nodes/n1", "{\"node_type\":\"gadget\",\"name\":\"N\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(t.put("/v1/nodes/n1", "{\"name\":\"N\"}"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.put("/v1/nodes/n%20", "{\"node_type\":\"builtin\",\"name\":\"N\"}"), 400, "INVALID_ID");
    assertCode(t.get("/v1/nodes?type=gadget"), 400, "INVALID_ARGUMENT");
    assertThat(t.get("/v1/nodes").json().get("nodes")).isEmpty();

    assertCode(t.post("/v1/tasks", "{}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/tasks", "{\"task_type\":\"a b\"}"), 400, "INVALID_ID");
    assertCode(
        t.post("/v1/tasks", "{\"task_type\":\"x\",\"session_id\":\"s\"}"), 400, "INVALID_ID");
    assertCode(t.get("/v1/tasks/nope"), 400, "INVALID_ID");
    assertCode(t.get("/v1/tasks?status=lost"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/tasks?limit=-5"), 400, "INVALID_ARGUMENT");
    String task =
        "/v1/tasks/" + t.post("/v1/tasks", "{\"task_type\":\"x\"}").json().get("task_id").asText();
    assertCode(t.post(task + "/start", "{\"force\":true}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(task + "/start", "[]"), 400, "INVALID_JSON");
    assertThat(t.get(task).json().get("status").asText()).isEqualTo("pending");

    assertCode(
        t.post("/v1/resume-handles", handle(s, "c", Instant.now().minusSeconds(5))),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.post(
            "/v1/resume-handles",
            "{\"session_id\":\"" + s + "\",\"correlation_id\":\"c\",\"expires_at\":\"tomorrow\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(t.post("/v1/resume-handles", handle(s, "c d", null)), 400, "INVALID_ID");
    assertCode(
        t.post("/v1/resume-handles/c/resume", "{\"payload\":{},\"x\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/resume-handles"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/resume-handles/c"), 400, "INVALID_ID");
    assertThat(t.get("/v1/resume-handles?session_id=" + s).json().get("resume_handles")).isEmpty();

    assertCode(t.post("/v1/commands", "{\"command_type\":\"a\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/commands", command(s, "a", "[]", null)), 400, "INVALID_JSON");
    assertCode(t.post("/v1/commands", command(s, "a", null, "bad key")), 400, "INVALID_ID");
    assertCode(
        t.post(
            "/v1/commands", command(s, "a", "{\"k\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}", null)),
        413,
        "PAYLOAD_TOO_LARGE");
    String huge = "{\"payload\":{\"k\":\"" + "x".repeat(200 * 1024) + "\"}}";
    assertCode(t.post("/v1/resume-handles/c/resume", huge), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.post("/v1/commands", huge), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.get("/v1/commands"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/commands?session_id=" + s + "&status=odd"), 400, "INVALID_ARGUMENT");
    assertThat(t.get("/v1/commands?session_id=" + s).json().get("commands")).isEmpty();
  }

  @Test
  void anotherTenantSeesNothing() {
    Http a = tenant(unique("a"));
    Http b = tenant(unique("b"));
    String s = UUID.randomUUID().toString();
    String attempt = "/v1/sessions/" + s + "/steps/fetch/attempts/1";
    String cps = "/v1/sessions/" + s + "/checkpoints";
    a.put(attempt, "{}");
    a.post(cps, "{\"checkpoint_id\":\"c1\",\"data\":{}}");
    a.put("/v1/nodes/n1", "{\"node_type\":\"builtin\",\"name\":\"N\"}");
    String task =
        "/v1/tasks/"
            + a.post("/v1/tasks", "{\"task_type\":\"x\",\"session_id\":\"" + s + "\"}")
                .json()
                .get("task_id")
                .asText();
    String handle =
        "/v1/resume-handles/"
            + a.post("/v1/resume-handles", handle(s, "corr", null))
                .json()
                .get("handle_id")
                .asText();
    String cmd =
        "/v1/commands/"
            + a.post("/v1/commands", command(s, "go", null, "key"))
                .json()
                .get("command_id")
                .asText();

    assertCode(b.get(attempt), 404, "NOT_FOUND");
    assertCode(b.post(attempt + "/finish", "{\"status\":\"succeeded\"}"), 404, "NOT_FOUND");
    assertThat(b.get("/v1/sessions/" + s + "/steps").json().get("steps")).isEmpty();
    assertCode(b.get(cps + "/c1"), 404, "NOT_FOUND");
    assertCode(b.get(cps + "/latest"), 404, "NOT_FOUND");
    assertThat(b.get(cps).json().get("checkpoints")).isEmpty();
    assertCode(b.get("/v1/nodes/n1"), 404, "NOT_FOUND");
    assertThat(b.get("/v1/nodes").json().get("nodes")).isEmpty();
    assertCode(b.get(task), 404, "NOT_FOUND");
    assertCode(b.post(task + "/start", null), 404, "NOT_FOUND");
    assertThat(b.get("/v1/tasks?session_id=" + s).json().get("tasks")).isEmpty();
    assertCode(b.get(handle), 404, "NOT_FOUND");
    assertCode(b.post(handle + "/paused", null), 404, "NOT_FOUND");
    assertCode(b.post("/v1/resume-handles/corr/resume", null), 404, "NOT_FOUND");
    assertThat(b.get("/v1/resume-handles?correlation_id=corr").json().get("resume_handles"))
        .isEmpty();
    assertCode(b.get(cmd), 404, "NOT_FOUND");
    assertCode(b.post(cmd + "/start", null), 404, "NOT_FOUND");
    assertThat(b.get("/v1/commands?session_id=" + s).json().get("commands")).isEmpty();
    // the same session, type and key in another tenant is a new command
    assertThat(b.post("/v1/commands", command(s, "go", null, "key")).status()).isEqualTo(201);

    assertThat(a.get(task).json().get("status").asText()).isEqualTo("pending");
    assertThat(a.get(handle).json().get("status").asText()).isEqualTo("pending_pause");
    assertThat(a.get(cmd).json().get("status").asText()).isEqualTo("received");
  }

  private static String handle(String session, String correlationId, Instant expiresAt) {
    return "{\"session_id\":\""
        + session
        + "\",\"correlation_id\":\""
        + correlationId
        + "\""
        + (expiresAt == null ? "" : ",\"expires_at\":\"" + expiresAt + "\"")
        + "}";
  }

  private static String command(String session, String type, String payload, String key) {
    return "{\"session_id\":\""
        + session
        + "\",\"command_type\":\""
        + type
        + "\""
        + (payload == null ? "" : ",\"payload\":" + payload)
        + (key == null ? "" : ",\"idempotency_key\":\"" + key + "\"")
        + "}";
  }

  private static void assertCode(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.code()).as(r.text()).isEqualTo(code);
  }
}
