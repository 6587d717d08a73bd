package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Flows and sessions over real HTTP: create to complete, replayed history, conflicts, bad input,
 * tenancy.
 */
abstract class WorkflowHttpContract extends ServerTestBase {
  private static final String FLOW =
      "{\"flow_id\":\"review\",\"name\":\"Review\",\"yaml_content\":\"states: [start, review, done]\\n\","
          + "\"param_schema\":{\"type\":\"object\",\"required\":[\"doc_id\"],\"properties\":{\"doc_id\":{\"type\":\"string\"}}}}";

  @Test
  void aSessionFromCreateToCompleteWithItsReplayedHistory() {
    Http t = tenant(unique("t"));
    assertThat(t.post("/v1/flows", FLOW).status()).isEqualTo(201);
    JsonNode flow = t.get("/v1/flows/review").json();
    assertThat(flow.get("version").asInt()).isEqualTo(1);
    assertThat(t.get("/v1/flows").json().get("flows")).hasSize(1);

    Http.Response created =
        t.post(
            "/v1/sessions",
            "{\"flow_id\":\"review\",\"params\":{\"doc_id\":\"d-1\"},\"state\":{\"step\":0}}",
            "X-Trace-Id",
            "trace-1");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode s0 = created.json();
    String id = s0.get("session_id").asText();
    assertThat(s0.get("status").asText()).isEqualTo("active");
    assertThat(s0.get("version").asLong()).isZero();
    assertThat(s0.get("metadata").get("trace_id").asText()).isEqualTo("trace-1");

    JsonNode s1 =
        t.post(
                "/v1/sessions/" + id + "/transitions",
                "{\"expected_version\":0,\"to_state\":\"review\",\"state\":{\"step\":1}}")
            .json();
    assertThat(s1.get("version").asLong()).isEqualTo(1);
    Http.Response stale =
        t.post(
            "/v1/sessions/" + id + "/transitions",
            "{\"expected_version\":0,\"to_state\":\"lost\"}");
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().get("error").get("code").asText()).isEqualTo("VERSION_CONFLICT");
    JsonNode s2 =
        t.post(
                "/v1/sessions/" + id + "/transitions",
                "{\"expected_version\":1,\"to_state\":\"done\",\"status\":\"completed\",\"payload\":{\"verdict\":\"ok\"}}")
            .json();
    assertThat(s2.get("status").asText()).isEqualTo("completed");
    assertThat(s2.get("completed_at").isNull()).isFalse();
    Http.Response late =
        t.post(
            "/v1/sessions/" + id + "/transitions",
            "{\"expected_version\":2,\"to_state\":\"again\"}");
    assertThat(late.status()).isEqualTo(422);

    assertThat(t.get("/v1/sessions/" + id + "?as_of_version=0").json()).isEqualTo(s0);
    assertThat(t.get("/v1/sessions/" + id + "?as_of_version=1").json()).isEqualTo(s1);
    assertThat(t.get("/v1/sessions/" + id).json()).isEqualTo(s2);
    JsonNode history = t.get("/v1/sessions/" + id + "/events").json().get("events");
    assertThat(history).hasSize(3);
    assertThat(history.get(0).get("type").asText()).isEqualTo("session.created");
    assertThat(history.get(0).get("metadata").get("trace_id").asText()).isEqualTo("trace-1");
    assertThat(history.get(1).get("metadata").get("trace_id").asText()).isNotBlank();
    assertThat(history.get(2).get("type").asText()).isEqualTo("session.completed");
    assertThat(history.get(2).get("metadata").get("from_state").asText()).isEqualTo("review");
    assertThat(history.get(2).get("metadata").get("to_state").asText()).isEqualTo("done");

    JsonNode completed = t.get("/v1/sessions?status=completed&flow_id=review").json();
    assertThat(completed.get("sessions")).hasSize(1);
    assertThat(completed.get("next_cursor").isNull()).isTrue();
  }

  @Test
  void sessionsPageWithACursor() {
    Http t = tenant(unique("t"));
    for (int i = 0; i < 3; i++) assertThat(t.post("/v1/sessions", "{}").status()).isEqualTo(201);
    JsonNode first = t.get("/v1/sessions?limit=2").json();
    assertThat(first.get("sessions")).hasSize(2);
    JsonNode second =
        t.get("/v1/sessions?limit=2&cursor=" + first.get("next_cursor").asText()).json();
    assertThat(second.get("sessions")).hasSize(1);
    assertThat(second.get("next_cursor").isNull()).isTrue();
  }

  @Test
  void badInputGetsAStableCodeAndWritesNothing() {
    Http t = tenant(unique("t"));
    t.post("/v1/flows", FLOW);
    assertCode(
        t.post("/v1/sessions", "{\"flow_id\":\"review\",\"params\":{\"doc_id\":7}}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(t.post("/v1/sessions", "{\"flow_id\":\"nope\"}"), 404, "NOT_FOUND");
    assertCode(t.post("/v1/sessions", "{\"flow\":\"review\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/sessions", "{\"state\":[]}"), 400, "INVALID_JSON");
    assertCode(t.post("/v1/sessions", "{\"state\":{\"k\":\"\\u0000\"}}"), 400, "INVALID_JSON");
    assertCode(
        t.post("/v1/sessions", "{\"state\":{\"k\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}}"),
        413,
        "PAYLOAD_TOO_LARGE");
    assertCode(t.post("/v1/sessions", "{\"ttl_seconds\":-1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/sessions", "{\"session_id\":\"not-a-uuid\"}"), 400, "INVALID_ID");
    assertCode(t.post("/v1/sessions", "{bad json"), 400, "INVALID_JSON");
    assertCode(t.get("/v1/sessions/not-a-uuid"), 400, "INVALID_ID");
    assertCode(t.get("/v1/sessions?status=sleeping"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/sessions?cursor=zzz"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/sessions?limit=-1"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.post("/v1/flows", "{\"flow_id\":\"f\",\"yaml_content\":\"a: [\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.post(
            "/v1/flows",
            "{\"flow_id\":\"f\",\"yaml_content\":\"a: 1\",\"param_schema\":{\"type\":3}}"),
        400,
        "INVALID_ARGUMENT");
    assertThat(t.get("/v1/sessions").json().get("sessions")).isEmpty();
    assertCode(t.get("/v1/flows/f"), 404, "NOT_FOUND");
    String id = t.post("/v1/sessions", "{}").json().get("session_id").asText();
    assertCode(
        t.post("/v1/sessions/" + id + "/transitions", "{\"to_state\":\"x\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.post(
            "/v1/sessions/" + id + "/transitions",
            "{\"expected_version\":0,\"status\":\"active\"}"),
        400,
        "INVALID_ARGUMENT");
    assertThat(t.get("/v1/sessions/" + id).json().get("version").asLong()).isZero();
  }

  @Test
  void anotherTenantSeesNothing() {
    Http a = tenant(unique("a"));
    Http b = tenant(unique("b"));
    a.post("/v1/flows", FLOW);
    String id = a.post("/v1/sessions", "{}").json().get("session_id").asText();
    assertCode(b.get("/v1/sessions/" + id), 404, "NOT_FOUND");
    assertCode(b.get("/v1/sessions/" + id + "/events"), 404, "NOT_FOUND");
    assertCode(
        b.post(
            "/v1/sessions/" + id + "/transitions", "{\"expected_version\":0,\"to_state\":\"x\"}"),
        404,
        "NOT_FOUND");
    assertCode(b.get("/v1/flows/review"), 404, "NOT_FOUND");
    assertThat(b.get("/v1/sessions").json().get("sessions")).isEmpty();
    assertThat(b.get("/v1/flows").json().get("flows")).isEmpty();
  }

  private static void assertCode(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.json().get("error").get("code").asText()).as(r.text()).isEqualTo(code);
  }
}
