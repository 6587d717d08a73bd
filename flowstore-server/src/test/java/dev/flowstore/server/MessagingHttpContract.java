package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.testkit.TestBackends;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The queue, the DLQ, the outbox and the audit log over real HTTP: enqueue -> lease -> ack, a job
 * reaching the DLQ and leaving it again, fencing tokens (stale ones are 409 LEASE_LOST), tenancy
 * (another tenant's job is 404), and listing/replaying outbox messages and querying/verifying the
 * audit chain. Bad input: {@link MessagingBadInputHttpContract}.
 */
abstract class MessagingHttpContract extends ServerTestBase {

  @Test
  void enqueueLeaseAckWithMessageFieldsAndUniqueKeys() {
    String tenant = unique("t");
    Http t = tenant(tenant).with("X-Trace-Id", "trace-1");
    UUID event = UUID.randomUUID();
    String job =
        "{\"job_type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\"},\"priority\":3,\"unique_key\":\"welcome-1\",\"event_id\":\""
            + event
            + "\"}";
    Http.Response created = t.post("/v1/queues/emails/jobs", job);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode j = created.json();
    assertThat(j.get("duplicate").asBoolean()).isFalse();
    assertThat(j.get("status").asText()).isEqualTo("queued");
    assertThat(j.get("tenant_id").asText()).isEqualTo(tenant);
    assertThat(j.get("trace_id").asText()).isEqualTo("trace-1");
    assertThat(j.get("event_id").asText()).isEqualTo(event.toString());
    assertThat(j.get("job_type").asText()).isEqualTo("send_email");
    assertThat(j.get("attempt").asInt()).isZero();
    assertThat(j.get("message_id").asText()).hasSize(36);
    String id = j.get("job_id").asText();

    Http.Response dup = t.post("/v1/queues/emails/jobs", job);
    assertThat(dup.status()).as(dup.text()).isEqualTo(200);
    assertThat(dup.json().get("duplicate").asBoolean()).isTrue();
    assertThat(dup.json().get("job_id").asText()).isEqualTo(id);

    JsonNode leases =
        t.post("/v1/queues/emails/leases", "{\"max\":5,\"visibility_timeout_s\":60}").json();
    assertThat(leases.get("leases")).hasSize(1);
    JsonNode lease = leases.get("leases").get(0);
    assertThat(lease.get("job_id").asText()).isEqualTo(id);
    assertThat(lease.get("status").asText()).isEqualTo("leased");
    assertThat(lease.get("attempt").asInt()).isEqualTo(1);
    assertThat(lease.get("payload").get("to").asText()).isEqualTo("a@b.c");
    long token = lease.get("lease_token").asLong();
    assertThat(token).isPositive();
    assertThat(stats(t, "emails").get("leased").asLong()).isEqualTo(1);
    assertThat(t.post("/v1/queues/emails/leases", null).json().get("leases")).isEmpty();

    Http.Response acked = t.post("/v1/jobs/" + id + "/ack", "{\"lease_token\":" + token + "}");
    assertThat(acked.status()).as(acked.text()).isEqualTo(200);
    assertThat(acked.json().get("status").asText()).isEqualTo("succeeded");
    assertCode(
        t.post("/v1/jobs/" + id + "/ack", "{\"lease_token\":" + token + "}"), 409, "LEASE_LOST");
    JsonNode detail = t.get("/v1/jobs/" + id).json();
    assertThat(detail.get("status").asText()).isEqualTo("succeeded");
    assertThat(detail.get("attempts")).hasSize(1);
    assertThat(detail.get("attempts").get(0).get("outcome").asText()).isEqualTo("succeeded");
    assertThat(detail.get("dead_letter").isNull()).isTrue();
    JsonNode s = stats(t, "emails");
    assertThat(s.get("succeeded").asLong()).isEqualTo(1);
    assertThat(s.get("depth").asLong()).isZero();
    assertThat(t.post("/v1/queues/emails/jobs", job).status()).isEqualTo(201);
  }

  @Test
  void aBatchIsEnqueuedInOrderAndDelayedJobsWait() {
    Http t = tenant(unique("t"));
    String later = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();
    Http.Response batch =
        t.post(
            "/v1/queues/work/jobs",
            "{\"jobs\":[{\"job_type\":\"a\",\"trace_id\":\"own\"},{\"job_type\":\"b\",\"delay_s\":3600},"
                + "{\"job_type\":\"c\",\"run_at\":\""
                + later
                + "\"},{\"job_type\":\"d\",\"unique_key\":\"u\"},{\"job_type\":\"e\",\"unique_key\":\"u\"}]}");
    assertThat(batch.status()).as(batch.text()).isEqualTo(201);
    JsonNode jobs = batch.json().get("jobs");
    assertThat(jobs).hasSize(5);
    assertThat(jobs.get(0).get("trace_id").asText()).isEqualTo("own");
    assertThat(jobs.get(2).get("run_at").asText()).isEqualTo(later);
    assertThat(jobs.get(4).get("duplicate").asBoolean()).isTrue();
    assertThat(jobs.get(4).get("job_id")).isEqualTo(jobs.get(3).get("job_id"));
    JsonNode s = stats(t, "work");
    assertThat(s.get("ready").asLong()).isEqualTo(2);
    assertThat(s.get("delayed").asLong()).isEqualTo(2);
    JsonNode leases = t.post("/v1/queues/work/leases", "{\"max\":10}").json().get("leases");
    assertThat(leases).hasSize(2);
    assertThat(leases.get(0).get("job_type").asText()).isEqualTo("a");
  }

  @Test
  void nackedJobsReachTheDlqWithHistoryAndCanBeRedrivenAndPurged() {
    Http t = tenant(unique("t"));
    String id = enqueue(t, "mail", "{\"job_type\":\"x\",\"max_attempts\":2}");
    Http.Response first = nack(t, id, lease(t, "mail"), "smtp down");
    assertThat(first.json().get("status").asText()).isEqualTo("queued");
    assertThat(first.json().get("last_error").asText()).isEqualTo("smtp down");
    assertThat(nack(t, id, lease(t, "mail"), "still down").json().get("status").asText())
        .isEqualTo("failed");

    JsonNode page = t.get("/v1/dlq?queue=mail").json();
    assertThat(page.get("items")).hasSize(1);
    assertThat(page.get("next_after").isNull()).isTrue();
    JsonNode item = page.get("items").get(0);
    assertThat(item.get("job_id").asText()).isEqualTo(id);
    assertThat(item.get("attempts").asInt()).isEqualTo(2);
    assertThat(item.get("last_error").asText()).isEqualTo("still down");
    JsonNode inspected = t.get("/v1/dlq/" + id).json();
    assertThat(inspected.get("attempts")).hasSize(2);
    assertThat(inspected.get("attempts").get(0).get("error").asText()).isEqualTo("smtp down");
    assertThat(inspected.get("attempts").get(1).get("outcome").asText()).isEqualTo("failed");
    assertThat(inspected.get("dead_letter").get("job_id").asText()).isEqualTo(id);
    assertThat(t.get("/v1/jobs/" + id).json()).isEqualTo(inspected);
    JsonNode audit = t.get("/v1/audit?resource_type=job&resource_id=" + id).json();
    assertThat(audit.get("entries").get(0).get("action").asText()).isEqualTo("job.dead_lettered");
    assertThat(stats(t, "mail").get("failed").asLong()).isEqualTo(1);

    String other = enqueue(t, "mail", "{\"job_type\":\"y\",\"max_attempts\":1}");
    nack(t, other, lease(t, "mail"), "boom");
    JsonNode first1 = t.get("/v1/dlq?queue=mail&limit=1").json();
    assertThat(first1.get("items").get(0).get("job_id").asText()).isEqualTo(id);
    assertThat(first1.get("next_after").asText()).isEqualTo(id);
    JsonNode next = t.get("/v1/dlq?queue=mail&limit=1&after=" + id).json();
    assertThat(next.get("items").get(0).get("job_id").asText()).isEqualTo(other);

    Http.Response redriven = t.post("/v1/dlq/" + id + "/redrive", null);
    assertThat(redriven.status()).as(redriven.text()).isEqualTo(200);
    assertThat(redriven.json().get("status").asText()).isEqualTo("queued");
    assertThat(redriven.json().get("attempt").asInt()).isZero();
    assertThat(redriven.json().get("message_id")).isNotEqualTo(item.get("message_id"));
    assertCode(t.get("/v1/dlq/" + id), 404, "NOT_FOUND");
    assertCode(t.post("/v1/dlq/" + id + "/redrive", "{}"), 404, "NOT_FOUND");

    Http.Response purged = t.delete("/v1/dlq/" + other);
    assertThat(purged.status()).as(purged.text()).isEqualTo(204);
    assertCode(t.get("/v1/jobs/" + other), 404, "NOT_FOUND");
    assertCode(t.delete("/v1/dlq/" + other), 404, "NOT_FOUND");
    assertThat(t.get("/v1/dlq").json().get("items")).isEmpty();
    assertThat(stats(t, "mail").get("ready").asLong()).isEqualTo(1);
  }

  @Test
  void staleOrWrongTokensAreLeaseLostAndChangeNothing() {
    Http t = tenant(unique("t"));
    String id = enqueue(t, "q", "{\"job_type\":\"x\"}");
    long token = lease(t, "q");
    String wrong = "{\"lease_token\":" + (token + 1) + "}";
    assertCode(t.post("/v1/jobs/" + id + "/heartbeat", wrong), 409, "LEASE_LOST");
    assertCode(t.post("/v1/jobs/" + id + "/ack", wrong), 409, "LEASE_LOST");
    assertCode(t.post("/v1/jobs/" + id + "/release", wrong), 409, "LEASE_LOST");
    assertCode(nack(t, id, token + 1, "e"), 409, "LEASE_LOST");
    JsonNode before = t.get("/v1/jobs/" + id).json();
    assertThat(before.get("status").asText()).isEqualTo("leased");

    Http.Response beat =
        t.post(
            "/v1/jobs/" + id + "/heartbeat", "{\"lease_token\":" + token + ",\"extend_s\":3600}");
    assertThat(beat.status()).as(beat.text()).isEqualTo(200);
    assertThat(beat.json().get("lease_token").asLong()).isEqualTo(token);
    assertThat(Instant.parse(beat.json().get("lease_expires_at").asText()))
        .isAfter(Instant.parse(before.get("lease_expires_at").asText()));

    Http.Response released =
        t.post("/v1/jobs/" + id + "/release", "{\"lease_token\":" + token + "}");
    assertThat(released.json().get("status").asText()).isEqualTo("queued");
    long again = lease(t, "q");
    assertThat(again).isGreaterThan(token);
    String stale = "{\"lease_token\":" + token + "}";
    assertCode(t.post("/v1/jobs/" + id + "/ack", stale), 409, "LEASE_LOST");
    assertCode(t.post("/v1/jobs/" + id + "/heartbeat", stale), 409, "LEASE_LOST");
    assertCode(nack(t, id, token, "late"), 409, "LEASE_LOST");
    JsonNode after = t.get("/v1/jobs/" + id).json();
    assertThat(after.get("status").asText()).isEqualTo("leased");
    assertThat(after.get("last_error").isNull()).isTrue();
  }

  @Test
  void anotherTenantsJobsAreNotFound() {
    Http a = tenant(unique("a"));
    Http b = tenant(unique("b"));
    String id = enqueue(a, "q", "{\"job_type\":\"x\",\"max_attempts\":1}");
    long token = lease(a, "q");
    String body = "{\"lease_token\":" + token + "}";
    assertCode(b.post("/v1/jobs/" + id + "/ack", body), 404, "NOT_FOUND");
    assertCode(nack(b, id, token, "e"), 404, "NOT_FOUND");
    assertCode(b.post("/v1/jobs/" + id + "/heartbeat", body), 404, "NOT_FOUND");
    assertCode(b.post("/v1/jobs/" + id + "/release", body), 404, "NOT_FOUND");
    assertCode(b.get("/v1/jobs/" + id), 404, "NOT_FOUND");
    assertThat(b.get("/v1/queues").json().get("queues")).isEmpty();
    assertThat(b.post("/v1/queues/q/leases", "{}").json().get("leases")).isEmpty();
    nack(a, id, token, "dead");
    assertCode(b.get("/v1/dlq/" + id), 404, "NOT_FOUND");
    assertCode(b.post("/v1/dlq/" + id + "/redrive", null), 404, "NOT_FOUND");
    assertCode(b.delete("/v1/dlq/" + id), 404, "NOT_FOUND");
    assertThat(b.get("/v1/dlq").json().get("items")).isEmpty();
    assertThat(a.get("/v1/dlq/" + id).status()).isEqualTo(200);
  }

  @Test
  void outboxMessagesAreListedByStatusAndFailedOnesReplayed() {
    TenantId tenant = TenantId.of(unique("t"));
    Http t = tenant(tenant.value());
    ObjectNode payload = Json.parseObject("p", "{\"n\":1}");
    OutboxMessage pending =
        flowstore.inTransaction(tenant, tx -> tx.outbox().add("queue:emails", payload, null, null));
    OutboxMessage failed =
        flowstore.inTransaction(
            tenant, tx -> tx.outbox().add("queue:emails", payload, null, UUID.randomUUID()));
    flowstore.outbox(tenant).markFailed(failed.messageId(), "broker says no", null);

    JsonNode list = t.get("/v1/outbox").json();
    assertThat(list.get("messages")).hasSize(1);
    JsonNode m = list.get("messages").get(0);
    assertThat(m.get("message_id").asText()).isEqualTo(pending.messageId().toString());
    assertThat(m.get("destination").asText()).isEqualTo("queue:emails");
    assertThat(m.get("payload").get("n").asInt()).isEqualTo(1);
    assertThat(m.get("status").asText()).isEqualTo("pending");
    assertThat(list.get("next_after").isNull()).isTrue();
    JsonNode bad = t.get("/v1/outbox?status=failed").json().get("messages");
    assertThat(bad).hasSize(1);
    assertThat(bad.get(0).get("last_error").asText()).isEqualTo("broker says no");
    assertThat(tenant(unique("o")).get("/v1/outbox?status=failed").json().get("messages"))
        .isEmpty();
    JsonNode page = t.get("/v1/outbox?status=pending&limit=1").json();
    assertThat(page.get("next_after").asText()).isEqualTo(pending.messageId().toString());
    String after = "/v1/outbox?after=" + pending.messageId();
    assertThat(t.get(after).json().get("messages")).isEmpty();

    String replay = "/v1/outbox/" + failed.messageId() + "/replay";
    assertCode(tenant(unique("o")).post(replay, null), 404, "NOT_FOUND");
    Http.Response replayed = t.post(replay, null);
    assertThat(replayed.status()).as(replayed.text()).isEqualTo(200);
    assertThat(replayed.json().get("status").asText()).isEqualTo("pending");
    assertCode(t.post(replay, "{}"), 422, "UNPROCESSABLE");
    assertThat(t.get("/v1/outbox").json().get("messages")).hasSize(2);
    assertCode(t.post("/v1/outbox/" + UUID.randomUUID() + "/replay", null), 404, "NOT_FOUND");
  }

  @Test
  void theAuditLogIsQueryableAndVerifiable() {
    TenantId tenant = TenantId.of(unique("t"));
    Http t = tenant(tenant.value());
    for (String r : new String[] {"r1", "r2", "r1"}) {
      flowstore
          .audit(tenant)
          .append(new NewAuditEntry("alice", "ticket.updated", "ticket", r, "tr", null, null));
    }
    JsonNode all = t.get("/v1/audit").json();
    assertThat(all.get("entries")).hasSize(3);
    assertThat(all.get("next_after").asLong()).isEqualTo(3);
    JsonNode e1 = all.get("entries").get(0);
    assertThat(e1.get("seq").asLong()).isEqualTo(1);
    assertThat(e1.get("actor").asText()).isEqualTo("alice");
    assertThat(e1.get("prev_hash").asText()).isEqualTo("0".repeat(64));
    assertThat(all.get("entries").get(1).get("prev_hash")).isEqualTo(e1.get("hash"));
    assertThat(t.get("/v1/audit?resource_type=ticket&resource_id=r1").json().get("entries"))
        .hasSize(2);
    JsonNode page = t.get("/v1/audit?after=1&limit=1").json();
    assertThat(page.get("entries").get(0).get("seq").asLong()).isEqualTo(2);
    assertThat(page.get("next_after").asLong()).isEqualTo(2);
    String future = Instant.now().plusSeconds(3600).toString();
    assertThat(t.get("/v1/audit?from=" + future).json().get("entries")).isEmpty();
    assertThat(t.get("/v1/audit?to=" + future).json().get("entries")).hasSize(3);
    assertThat(tenant(unique("o")).get("/v1/audit").json().get("entries")).isEmpty();

    JsonNode ok = t.get("/v1/audit/verify").json();
    assertThat(ok.get("ok").asBoolean()).isTrue();
    assertThat(ok.get("checked").asLong()).isEqualTo(3);
    assertThat(ok.get("first_bad_seq").isNull()).isTrue();
    assertThat(ok.get("problem").isNull()).isTrue();
    TestBackends.executeAsOwner(
        flowstore.config(),
        "UPDATE audit_log SET actor = 'mallory' WHERE tenant_id = '" + tenant + "' AND seq = 2");
    Http.Response broken = t.get("/v1/audit/verify");
    assertThat(broken.status()).isEqualTo(200);
    assertThat(broken.json().get("ok").asBoolean()).isFalse();
    assertThat(broken.json().get("first_bad_seq").asLong()).isEqualTo(2);
    assertThat(broken.json().get("problem").asText()).isNotBlank();
  }

  static String enqueue(Http t, String queue, String job) {
    Http.Response r = t.post("/v1/queues/" + queue + "/jobs", job);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("job_id").asText();
  }

  /** Leases the one ready job of {@code queue} and returns its token. */
  static long lease(Http t, String queue) {
    Http.Response r = t.post("/v1/queues/" + queue + "/leases", "{\"visibility_timeout_s\":60}");
    assertThat(r.json().get("leases")).as(r.text()).hasSize(1);
    return r.json().get("leases").get(0).get("lease_token").asLong();
  }

  static Http.Response nack(Http t, String id, long token, String error) {
    return t.post(
        "/v1/jobs/" + id + "/nack",
        "{\"lease_token\":" + token + ",\"error\":\"" + error + "\",\"retry_delay_s\":0}");
  }

  /** The depths of {@code queue} from {@code GET /v1/queues}. */
  static JsonNode stats(Http t, String queue) {
    for (JsonNode q : t.get("/v1/queues").json().get("queues"))
      if (q.get("queue").asText().equals(queue)) return q;
    throw new AssertionError("queue " + queue + " is not listed");
  }

  private static void assertCode(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.code()).as(r.text()).isEqualTo(code);
  }
}
