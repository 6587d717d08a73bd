package dev.flowstore.server;

import static dev.flowstore.server.HttpApiContract.assertBad;
import static dev.flowstore.server.HttpApiContract.event;
import static dev.flowstore.server.HttpApiContract.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.ApiKeys;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP API once API keys exist: every /v1 request needs a key and acts for the key's tenant
 * only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiKeyHttpContract {
  Flowstore flowstore;
  FlowstoreServer server;
  Http http;
  String keyA;
  String keyB;

  abstract FlowstoreConfig newConfig(Map<String, String> extra);

  @BeforeAll
  void start() {
    flowstore = Flowstore.open(newConfig(Map.of()));
    keyA = flowstore.apiKeys().create(TenantId.of("tenant-a"), "test").secret();
    keyB = flowstore.apiKeys().create(TenantId.of("tenant-b"), "test").secret();
    server = FlowstoreServer.start(flowstore, "127.0.0.1", 0);
    http = new Http(server.uri());
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    if (flowstore != null) flowstore.close();
  }

  Http as(String key) {
    return http.with("Authorization", "Bearer " + key);
  }

  @Test
  void aRequestWithoutAValidKeyIsUnauthenticated() {
    assertBad(http.get("/v1/events"), 401, "UNAUTHENTICATED");
    assertBad(http.with("X-Tenant-Id", "tenant-a").get("/v1/events"), 401, "UNAUTHENTICATED");
    assertBad(as("not-a-key").get("/v1/events"), 401, "UNAUTHENTICATED");
    assertBad(
        http.with("Authorization", "Basic " + keyA).get("/v1/events"), 401, "UNAUTHENTICATED");
    assertBad(
        http.post("/v1/streams/k-1/events", events("\"any\"", event("a", "{}"))),
        401,
        "UNAUTHENTICATED");
    assertThat(flowstore.events(TenantId.of("tenant-a")).streamVersion("k-1")).isEqualTo(-1);
    // health and the API document stay open: load balancers and clients need them before any key
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    assertThat(http.get("/openapi.yaml").status()).isEqualTo(200);
  }

  @Test
  void aKeyActsForItsOwnTenantOnly() {
    assertThat(
            as(keyA)
                .post("/v1/streams/secret-1/events", events("\"no_stream\"", event("of.a", "{}")))
                .status())
        .isEqualTo(201);
    assertThat(flowstore.events(TenantId.of("tenant-a")).streamVersion("secret-1")).isZero();
    assertThat(as(keyB).get("/v1/streams/secret-1/events").json().get("events")).isEmpty();
    assertThat(as(keyB).get("/v1/events").json().get("events"))
        .allSatisfy(e -> assertThat(e.get("type").asText()).isNotEqualTo("of.a"));
    // naming another tenant does not switch to it
    assertBad(
        as(keyB).with("X-Tenant-Id", "tenant-a").get("/v1/streams/secret-1/events"),
        401,
        "UNAUTHENTICATED");
    assertBad(
        as(keyB)
            .with("X-Tenant-Id", "tenant-a")
            .post("/v1/streams/secret-1/events", events("\"any\"", event("of.b", "{}"))),
        401,
        "UNAUTHENTICATED");
    assertThat(flowstore.events(TenantId.of("tenant-a")).streamVersion("secret-1")).isZero();
    // naming its own tenant is fine
    assertThat(
            as(keyA)
                .with("X-Tenant-Id", "tenant-a")
                .get("/v1/streams/secret-1/events")
                .json()
                .get("events"))
        .hasSize(1);
    // b writes its own stream of the same name; a's is untouched
    assertThat(
            as(keyB)
                .post("/v1/streams/secret-1/events", events("\"no_stream\"", event("of.b", "{}")))
                .status())
        .isEqualTo(201);
    assertThat(as(keyA).get("/v1/streams/secret-1/events").json().get("events"))
        .extracting(e -> e.get("type").asText())
        .containsExactly("of.a");
  }

  @Test
  void aReadKeyReadsButEveryWriteIsForbidden() {
    String read =
        flowstore.apiKeys().create(TenantId.of("tenant-a"), "viewer", ApiKeys.Scope.READ).secret();
    assertThat(as(read).get("/v1/events").status()).isEqualTo(200);
    assertThat(as(read).get("/v1/dlq").status()).isEqualTo(200);
    var refused = as(read).post("/v1/streams/ro-1/events", events("\"any\"", event("x", "{}")));
    assertBad(refused, 403, "FORBIDDEN");
    assertThat(refused.json().at("/error/message").asText()).contains("--scope tenant");
    assertBad(as(read).post("/v1/queues/q/jobs", "{\"job_type\":\"t\"}"), 403, "FORBIDDEN");
    assertBad(as(read).delete("/v1/dlq/" + java.util.UUID.randomUUID()), 403, "FORBIDDEN");
    assertThat(flowstore.events(TenantId.of("tenant-a")).streamVersion("ro-1")).isEqualTo(-1);
    assertThat(flowstore.queue(TenantId.of("tenant-a")).stats())
        .extracting(dev.flowstore.QueueStats::queue)
        .doesNotContain("q");
  }

  @Test
  void onlyAnAdminKeyDeclaresACollection() {
    String spec = "{\"name\":\"tickets_by_scope\"}";
    String tenant =
        flowstore.apiKeys().create(TenantId.of("tenant-a"), "app", ApiKeys.Scope.TENANT).secret();
    var refused = as(tenant).post("/v1/collections", spec);
    assertBad(refused, 403, "FORBIDDEN");
    assertThat(refused.json().at("/error/message").asText()).contains("--scope admin");
    assertThat(flowstore.collections().list())
        .extracting(dev.flowstore.Collection::name)
        .doesNotContain("tickets_by_scope");
    String admin =
        flowstore.apiKeys().create(TenantId.of("ops"), "admin", ApiKeys.Scope.ADMIN).secret();
    assertThat(as(admin).post("/v1/collections", spec).status()).isEqualTo(200);
    assertThat(flowstore.collections().list())
        .extracting(dev.flowstore.Collection::name)
        .contains("tickets_by_scope");
  }

  @Test
  void aRecordWriteIsAttributedToItsKeyUnlessItNamesAnActor() {
    flowstore.collections().declare(dev.flowstore.CollectionSpec.of("notes_by_key"));
    ApiKeys.Created key = flowstore.apiKeys().create(TenantId.of("tenant-a"), "notes");
    String records = "/v1/collections/notes_by_key/records";
    assertThat(as(key.secret()).post(records, "{\"id\":\"n-1\",\"data\":{}}").status())
        .isEqualTo(201);
    assertThat(
            as(key.secret())
                .send(
                    "PATCH",
                    records + "/n-1",
                    "{\"expected_version\":0,\"patch\":{\"a\":1}}",
                    "X-Actor",
                    "user:ann")
                .status())
        .isEqualTo(200);
    var events = flowstore.records(TenantId.of("tenant-a")).history("notes_by_key", "n-1", 0, 10);
    assertThat(events)
        .extracting(e -> e.metadata().get("actor").asText())
        .containsExactly("api-key:" + key.keyId(), "user:ann");
  }

  @Test
  void anAdminKeyActsForTheTenantItNames() {
    String admin =
        flowstore.apiKeys().create(TenantId.of("ops"), "admin", ApiKeys.Scope.ADMIN).secret();
    assertThat(
            as(admin)
                .with("X-Tenant-Id", "tenant-b")
                .post("/v1/streams/adm-1/events", events("\"no_stream\"", event("by.admin", "{}")))
                .status())
        .isEqualTo(201);
    assertThat(flowstore.events(TenantId.of("tenant-b")).streamVersion("adm-1")).isZero();
    assertThat(flowstore.events(TenantId.of("ops")).streamVersion("adm-1")).isEqualTo(-1);
    // without the header it acts for its own tenant
    assertThat(as(admin).get("/v1/streams/adm-1/events").json().get("events")).isEmpty();
  }

  @Test
  void aNonLoopbackBindWithoutKeysIsRefused() {
    try (Flowstore empty = Flowstore.open(newConfig(Map.of()))) {
      assertThatThrownBy(() -> FlowstoreServer.start(empty, "0.0.0.0", 0))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
          .hasMessageStartingWith("FLOWSTORE_HTTP_HOST: ")
          .hasMessageContaining("flowstore tenant create");
    }
  }
}
