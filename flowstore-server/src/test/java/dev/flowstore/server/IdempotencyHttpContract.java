package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.IdempotencyKeys;
import dev.flowstore.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The {@code Idempotency-Key} header on POST routes over real HTTP: a replay answers the stored
 * status and body without running again; a different request is 422; a key still held is 409; error
 * answers are not stored (a corrected retry with the same key runs); keys are per tenant.
 */
abstract class IdempotencyHttpContract extends ServerTestBase {
  static final String KEY = "Idempotency-Key";
  static final String JOB = "{\"job_type\":\"x\",\"payload\":{\"n\":1}}";

  @Test
  void theSameRequestIsReplayedAndRunsOnce() {
    Http t = tenant(unique("t"));
    Http.Response first = t.post("/v1/queues/q/jobs", JOB, KEY, "k-1");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    Http.Response again = t.post("/v1/queues/q/jobs", JOB, KEY, "k-1");
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.text()).isEqualTo(first.text());
    assertThat(again.contentType()).startsWith("application/json");
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(MessagingHttpContract.stats(t, "q").get("ready").asLong()).isEqualTo(1);

    Http.Response leased = t.post("/v1/queues/q/leases", "{\"max\":5}", KEY, "lease-1");
    assertThat(leased.json().get("leases")).hasSize(1);
    assertThat(t.post("/v1/queues/q/leases", "{\"max\":5}", KEY, "lease-1").text())
        .isEqualTo(leased.text());
    assertThat(MessagingHttpContract.stats(t, "q").get("leased").asLong()).isEqualTo(1);

    Http.Response session = t.post("/v1/sessions", "{}", KEY, "s-1");
    assertThat(session.status()).as(session.text()).isEqualTo(201);
    assertThat(t.post("/v1/sessions", "{}", KEY, "s-1").json()).isEqualTo(session.json());
    assertThat(t.get("/v1/sessions").json().get("sessions")).hasSize(1);
    assertThat(t.post("/v1/queues/q/jobs", JOB).status()).isEqualTo(201);
    assertThat(MessagingHttpContract.stats(t, "q").get("ready").asLong()).isEqualTo(1);
  }

  @Test
  void aDifferentRequestUnderAUsedKeyIs422AndWritesNothing() {
    Http t = tenant(unique("t"));
    assertThat(t.post("/v1/queues/q/jobs", JOB, KEY, "k").status()).isEqualTo(201);
    String other = "{\"job_type\":\"y\"}";
    assertCode(t.post("/v1/queues/q/jobs", other, KEY, "k"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertCode(t.post("/v1/queues/r/jobs", JOB, KEY, "k"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertCode(t.post("/v1/queues/q/leases", JOB, KEY, "k"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(t.get("/v1/queues").json().get("queues")).hasSize(1);
    assertThat(MessagingHttpContract.stats(t, "q").get("ready").asLong()).isEqualTo(1);
  }

  @Test
  void keysArePerTenant() {
    Http a = tenant(unique("a"));
    Http b = tenant(unique("b"));
    Http.Response fromA = a.post("/v1/queues/q/jobs", JOB, KEY, "shared");
    Http.Response fromB = b.post("/v1/queues/q/jobs", JOB, KEY, "shared");
    assertThat(fromB.status()).isEqualTo(201);
    assertThat(fromB.header("Idempotent-Replayed")).isNull();
    assertThat(fromB.json().get("job_id")).isNotEqualTo(fromA.json().get("job_id"));
    assertThat(b.post("/v1/queues/q/jobs", "{\"job_type\":\"z\"}", KEY, "fresh").status())
        .isEqualTo(201);
    assertThat(a.post("/v1/queues/q/jobs", JOB, KEY, "fresh").status()).isEqualTo(201);
  }

  @Test
  void errorAnswersAreNotStoredSoACorrectedRetryRuns() {
    Http t = tenant(unique("t"));
    String bad = "{\"job_type\":\"x\",\"priorty\":1}";
    assertCode(t.post("/v1/queues/q/jobs", bad, KEY, "k"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/queues/q/jobs", bad, KEY, "k"), 400, "INVALID_ARGUMENT");
    Http.Response fixed = t.post("/v1/queues/q/jobs", JOB, KEY, "k");
    assertThat(fixed.status()).as(fixed.text()).isEqualTo(201);
    assertThat(fixed.header("Idempotent-Replayed")).isNull();
    assertCode(t.post("/v1/queues/q/jobs", bad, KEY, "k"), 422, "IDEMPOTENCY_KEY_REUSED");

    String big = "{\"pad\":\"" + "a".repeat(200_000) + "\"}";
    assertCode(t.post("/v1/queues/q/jobs", big, KEY, "k2"), 413, "PAYLOAD_TOO_LARGE");
    String small = "{\"pad\":\"" + "a".repeat(70_000) + "\"}";
    String job = MessagingHttpContract.enqueue(t, "p", "{\"job_type\":\"x\"}");
    String ack = "/v1/jobs/" + job + "/ack";
    // over the ack route's own cap (64 KiB), under the largest one: the route's cap still applies
    assertCode(t.post(ack, small, KEY, "k3"), 413, "PAYLOAD_TOO_LARGE");
    assertCode(t.post(ack, "{\"lease_token\":5}", KEY, "k3"), 409, "LEASE_LOST");
    long token = MessagingHttpContract.lease(t, "p");
    String right = "{\"lease_token\":" + token + "}";
    // the 413 and the 409 released k3: another request may use it now
    Http.Response acked = t.post(ack, right, KEY, "k3");
    assertThat(acked.status()).as(acked.text()).isEqualTo(200);
    Http.Response replayed = t.post(ack, right, KEY, "k3");
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.text()).isEqualTo(acked.text());
    assertCode(t.post(ack, right), 409, "LEASE_LOST");
  }

  @Test
  void aKeyHeldByARunningRequestIs409UntilItCompletes() {
    TenantId tenant = TenantId.of(unique("t"));
    Http t = tenant(tenant.value());
    IdempotencyKeys keys = flowstore.idempotencyKeys(tenant);
    String hash = fingerprint("POST", "/v1/queues/q/jobs", JOB);
    assertThat(keys.begin("held", hash, Duration.ofHours(1), Duration.ofMinutes(5)))
        .isInstanceOf(IdempotencyKeys.Proceed.class);
    assertCode(t.post("/v1/queues/q/jobs", JOB, KEY, "held"), 409, "IDEMPOTENCY_IN_PROGRESS");
    assertCode(t.post("/v1/queues/q/jobs", "{}", KEY, "held"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(t.get("/v1/queues").json().get("queues")).isEmpty();
    keys.complete("held", 201, "{\"stored\":true}");
    Http.Response replay = t.post("/v1/queues/q/jobs", JOB, KEY, "held");
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.text()).isEqualTo("{\"stored\":true}");
    assertThat(t.get("/v1/queues").json().get("queues")).isEmpty();
  }

  @Test
  void badKeysAre400AndOtherMethodsIgnoreTheHeader() {
    Http t = tenant(unique("t"));
    String longest = "k".repeat(IdempotencyKeys.MAX_KEY_LENGTH);
    assertThat(t.post("/v1/queues/q/jobs", JOB, KEY, longest).status()).isEqualTo(201);
    assertCode(t.post("/v1/queues/q/jobs", JOB, KEY, longest + "k"), 400, "INVALID_ARGUMENT");
    assertCode(t.post("/v1/queues/q/jobs", JOB, KEY, "a\tb"), 400, "INVALID_ARGUMENT");
    assertThat(MessagingHttpContract.stats(t, "q").get("ready").asLong()).isEqualTo(1);
    Http.Response get = t.get("/v1/queues", KEY, longest + "k");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Idempotent-Replayed")).isNull();
  }

  /** The documented fingerprint: SHA-256 (hex) of method, path and body, newline-separated. */
  static String fingerprint(String method, String path, String body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(
              sha.digest((method + "\n" + path + "\n" + body).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertCode(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.code()).as(r.text()).isEqualTo(code);
  }
}
