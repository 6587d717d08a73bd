package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the queue, DLQ, outbox and audit routes: a 4xx with a stable code, and nothing
 * written (the tenant has no queue, no job and no audit entry afterwards).
 */
abstract class MessagingBadInputHttpContract extends ServerTestBase {

  @Test
  void badJobsAreRefusedAndWriteNothing() {
    Http t = tenant(unique("t"));
    String jobs = "/v1/queues/q/jobs";
    assertCode(t.post("/v1/queues/a%20b/jobs", "{\"job_type\":\"x\"}"), 400, "INVALID_ID");
    assertCode(t.post("/v1/queues/-q/jobs", "{\"job_type\":\"x\"}"), 400, "INVALID_ID");
    assertCode(t.post("/v1/queues/" + "q".repeat(129) + "/jobs", "{}"), 400, "INVALID_ID");
    assertCode(t.post(jobs, "{}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"a b\"}"), 400, "INVALID_ID");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"priorty\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"payload\":[1]}"), 400, "INVALID_JSON");
    assertCode(
        t.post(jobs, "{\"job_type\":\"x\",\"payload\":{\"k\":\"\\u0000\"}}"), 400, "INVALID_JSON");
    assertCode(t.post(jobs, "{\"job_type\":\"x\\u0000\"}"), 400, "INVALID_JSON");
    assertCode(t.post(jobs, "{bad"), 400, "INVALID_JSON");
    assertCode(t.post(jobs, null), 400, "INVALID_JSON");
    assertCode(t.post(jobs, "[]"), 400, "INVALID_JSON");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"max_attempts\":0}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"max_attempts\":1001}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"priority\":\"high\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"delay_s\":-1}"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.post(jobs, "{\"job_type\":\"x\",\"run_at\":\"tomorrow\"}"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.post(jobs, "{\"job_type\":\"x\",\"delay_s\":1,\"run_at\":\"2030-01-01T00:00:00Z\"}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"job_type\":\"x\",\"event_id\":\"nope\"}"), 400, "INVALID_ID");
    assertCode(
        t.post(jobs, "{\"job_type\":\"x\",\"trace_id\":\"" + "t".repeat(201) + "\"}"),
        400,
        "INVALID_ARGUMENT");
    String big = "{\"job_type\":\"x\",\"payload\":{\"s\":\"" + "a".repeat(MAX_PAYLOAD) + "\"}}";
    assertCode(t.post(jobs, big), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.post(jobs, "{\"pad\":\"" + "a".repeat(200_000) + "\"}"), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.post(jobs, "{\"jobs\":[]}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"jobs\":{}}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"jobs\":[{\"job_type\":\"x\"}],\"x\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.post(jobs, "{\"jobs\":[{\"job_type\":\"ok\"},{\"job_type\":\"x\",\"max_attempts\":-1}]}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(t.post(jobs, "{\"jobs\":[{\"job_type\":\"ok\"},7]}"), 400, "INVALID_JSON");
    assertThat(t.get("/v1/queues").json().get("queues")).isEmpty();
  }

  @Test
  void badLeasesAndLeaseActionsAreRefusedAndChangeNothing() {
    Http t = tenant(unique("t"));
    String leases = "/v1/queues/q/leases";
    String job = MessagingHttpContract.enqueue(t, "q", "{\"job_type\":\"x\"}");
    assertCode(t.post(leases, "{\"max\":-1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"max\":0}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"max\":1001}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"visibility_timeout_s\":0}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"visibility_timeout_s\":604801}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"visibility_timeout_s\":1.5}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(leases, "{\"visibilty_timeout_s\":5}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/queues/a%20b/leases", "{}"), 400, "INVALID_ID");
    assertThat(MessagingHttpContract.stats(t, "q").get("ready").asLong()).isEqualTo(1);

    long token = MessagingHttpContract.lease(t, "q");
    String ack = "/v1/jobs/" + job + "/ack";
    assertCode(t.post("/v1/jobs/nope/ack", "{\"lease_token\":1}"), 400, "INVALID_ID");
    assertCode(t.post(ack, "{}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(ack, "{\"lease_token\":\"1\"}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(ack, "{\"lease_token\":0}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(ack, "{\"lease_token\":" + token + ",\"x\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(ack, "{\"pad\":\"" + "a".repeat(70_000) + "\"}"), 413, "PAYLOAD_TOO_LARGE");
    String nack = "/v1/jobs/" + job + "/nack";
    assertCode(t.post(nack, "{\"lease_token\":" + token + "}"), 400, "INVALID_ARGUMENT");
    assertCode(
        t.post(nack, "{\"lease_token\":" + token + ",\"error\":\"e\",\"retry_delay_s\":-1}"),
        400,
        "INVALID_ARGUMENT");
    assertCode(
        t.post(nack, "{\"lease_token\":" + token + ",\"error\":\"\\u0000\"}"), 400, "INVALID_JSON");
    String beat = "/v1/jobs/" + job + "/heartbeat";
    assertCode(
        t.post(beat, "{\"lease_token\":" + token + ",\"extend_s\":0}"), 400, "INVALID_ARGUMENT");
    assertCode(t.post(ack, "{\"lease_token\":" + (token + 9) + "}"), 409, "LEASE_LOST");
    assertCode(
        t.post("/v1/jobs/" + UUID.randomUUID() + "/ack", "{\"lease_token\":1}"), 404, "NOT_FOUND");
    var detail = t.get("/v1/jobs/" + job).json();
    assertThat(detail.get("status").asText()).isEqualTo("leased");
    assertThat(detail.get("attempts")).hasSize(1);
    assertCode(t.get("/v1/jobs/nope"), 400, "INVALID_ID");
  }

  @Test
  void badDlqOutboxAndAuditQueriesAreRefused() {
    Http t = tenant(unique("t"));
    assertCode(t.get("/v1/dlq?limit=-1"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/dlq?limit=1001"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/dlq?after=nope"), 400, "INVALID_ID");
    assertCode(t.get("/v1/dlq?after=" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertCode(t.get("/v1/dlq?queue=a%20b"), 400, "INVALID_ID");
    assertCode(t.get("/v1/dlq/nope"), 400, "INVALID_ID");
    assertCode(t.post("/v1/dlq/nope/redrive", null), 400, "INVALID_ID");
    assertCode(t.delete("/v1/dlq/nope"), 400, "INVALID_ID");
    assertCode(
        t.post("/v1/dlq/" + UUID.randomUUID() + "/redrive", "{\"x\":1}"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/outbox?status=lost"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/outbox?limit=0"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/outbox?after=x"), 400, "INVALID_ID");
    assertCode(t.post("/v1/outbox/nope/replay", null), 400, "INVALID_ID");
    assertCode(t.get("/v1/audit?from=yesterday"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/audit?to=2030-13-01T00:00:00Z"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/audit?after=-1"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/audit?limit=-1"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/audit?resource_id=%00"), 400, "INVALID_ARGUMENT");
    assertCode(t.get("/v1/audit?resource_type=" + "x".repeat(201)), 400, "INVALID_ARGUMENT");
    assertThat(t.get("/v1/audit").json().get("entries")).isEmpty();
  }

  private static void assertCode(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.code()).as(r.text()).isEqualTo(code);
  }
}
