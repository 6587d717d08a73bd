package dev.flowstore.server;

import static dev.flowstore.server.HttpApiContract.assertBad;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.MetricCounter;
import dev.flowstore.TenantId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Records over real HTTP, for what the OpenAPI conformance suite only touches: the lookup by a
 * unique value ({@code GET /v1/collections/{collection}/unique}) wherever the value moves, with
 * pointers holding slashes and values holding any character; and the actor ({@code X-Actor}) that
 * every records write writes into its event's metadata, and the refusals of a bad one.
 */
abstract class CollectionRecordsHttpContract extends ServerTestBase {

  /** Whether the server reads records through the Redis record cache. */
  boolean cached() {
    return false;
  }

  private String declareAgents() {
    String name = "agents_" + UUID.randomUUID().toString().substring(0, 8);
    Http.Response declared =
        http.post(
            "/v1/collections",
            "{\"name\":\""
                + name
                + "\",\"indexed\":[{\"pointer\":\"/username\",\"type\":\"string\"},"
                + "{\"pointer\":\"/badge\",\"type\":\"number\"},"
                + "{\"pointer\":\"/profile/email\",\"type\":\"string\"},"
                + "{\"pointer\":\"/team\",\"type\":\"string\"}],"
                + "\"unique\":[\"/username\",\"/badge\",\"/profile/email\"]}");
    assertThat(declared.status()).as(declared.text()).isEqualTo(200);
    return name;
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String unique(String collection, String field, String value) {
    return "/v1/collections/" + collection + "/unique?field=" + q(field) + "&value=" + q(value);
  }

  @Test
  void aRecordIsFoundByItsUniqueValueWhereverTheValueMoves() {
    String c = declareAgents();
    Http t = tenant(unique("t"));
    String odd = "ann&co/x y;z=?%";
    Http.Response ann =
        t.post(
            "/v1/collections/" + c + "/records",
            "{\"id\":\"A-1\",\"data\":{\"username\":\""
                + odd
                + "\",\"badge\":7,\"profile\":{\"email\":\"ann@example.com\"},\"team\":\"x\"}}");
    assertThat(ann.status()).as(ann.text()).isEqualTo(201);

    Http.Response byName = t.get(unique(c, "/username", odd));
    assertThat(byName.status()).as(byName.text()).isEqualTo(200);
    assertThat(byName.json()).isEqualTo(ann.json());
    // a number field reads its value as a number; a pointer with a slash inside is one field
    assertThat(t.get(unique(c, "/badge", "7")).json()).isEqualTo(ann.json());
    assertThat(t.get(unique(c, "/badge", "7.0")).json().get("id").asText()).isEqualTo("A-1");
    assertThat(t.get(unique(c, "/profile/email", "ann@example.com")).json()).isEqualTo(ann.json());

    // archived records are found too
    Http.Response archived =
        t.post("/v1/collections/" + c + "/records/A-1/archive", "{\"expected_version\":0}");
    assertThat(archived.status()).as(archived.text()).isEqualTo(200);
    assertThat(t.get(unique(c, "/username", odd)).json()).isEqualTo(archived.json());

    // the value moves to another record: the old holder is no longer found by it
    Http.Response renamed =
        t.send(
            "PATCH",
            "/v1/collections/" + c + "/records/A-1",
            "{\"expected_version\":1,\"patch\":{\"username\":\"ann2\"}}");
    assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
    assertBad(t.get(unique(c, "/username", odd)), 404, "NOT_FOUND");
    Http.Response bob =
        t.post(
            "/v1/collections/" + c + "/records",
            "{\"id\":\"B-1\",\"data\":{\"username\":\"" + odd + "\"}}");
    assertThat(bob.status()).as(bob.text()).isEqualTo(201);
    assertThat(t.get(unique(c, "/username", odd)).json()).isEqualTo(bob.json());
    assertThat(t.get(unique(c, "/username", "ann2")).json()).isEqualTo(renamed.json());

    // deleted: gone; another tenant: never there
    Http.Response deleted =
        t.send("DELETE", "/v1/collections/" + c + "/records/B-1?expected_version=0", (String) null);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
    assertBad(t.get(unique(c, "/username", odd)), 404, "NOT_FOUND");
    assertBad(tenant(unique("t")).get(unique(c, "/username", "ann2")), 404, "NOT_FOUND");
  }

  @Test
  void aLookupByUniqueValueIsRefusedWithTheRecordsErrors() {
    String c = declareAgents();
    Http t = tenant(unique("t"));
    String base = "/v1/collections/" + c + "/unique";
    // not a unique field (indexed or not), a value not of the field's type, a missing parameter
    Http.Response notUnique = t.get(unique(c, "/team", "x"));
    assertBad(notUnique, 400, "INVALID_ARGUMENT");
    assertThat(notUnique.json().at("/error/message").asText()).contains("/team");
    assertBad(t.get(unique(c, "/nope", "x")), 400, "INVALID_ARGUMENT");
    Http.Response notANumber = t.get(unique(c, "/badge", "seven"));
    assertBad(notANumber, 400, "INVALID_ARGUMENT");
    assertThat(notANumber.json().at("/error/message").asText())
        .contains("value of /badge")
        .contains("not a number");
    assertBad(t.get(base + "?value=x"), 400, "INVALID_ARGUMENT");
    assertBad(t.get(base + "?field=/username"), 400, "INVALID_ARGUMENT");
    assertBad(t.get(unique(c, "username", "x")), 400, "INVALID_ARGUMENT");
    // an undeclared or malformed collection
    assertBad(t.get(unique("no_such_" + c, "/username", "x")), 404, "NOT_FOUND");
    assertBad(t.get(unique("Bad-Name", "/username", "x")), 400, "INVALID_ARGUMENT");
    // an empty value is a value (a string field may hold ""), held by no one here
    assertBad(t.get(base + "?field=/username&value="), 404, "NOT_FOUND");
  }

  @Test
  void theLookupReadsThroughTheRecordCacheWhenItIsOn() {
    String c = declareAgents();
    Http t = tenant(unique("t"));
    Http.Response ann =
        t.post(
            "/v1/collections/" + c + "/records",
            "{\"id\":\"A-1\",\"data\":{\"username\":\"ann\"}}");
    assertThat(ann.status()).as(ann.text()).isEqualTo(201);
    long hits = counter("flowstore.cache.records.hits");
    long misses = counter("flowstore.cache.records.misses");
    assertThat(t.get(unique(c, "/username", "ann")).json()).isEqualTo(ann.json());
    assertThat(t.get(unique(c, "/username", "ann")).json()).isEqualTo(ann.json());
    if (cached()) {
      assertThat(counter("flowstore.cache.records.misses")).isEqualTo(misses + 1);
      assertThat(counter("flowstore.cache.records.hits")).isEqualTo(hits + 1);
    } else {
      assertThat(counterNames()).doesNotContain("flowstore.cache.records.hits");
    }
    // a write drops the entry; the next lookup sees the new version
    Http.Response patched =
        t.send(
            "PATCH",
            "/v1/collections/" + c + "/records/A-1",
            "{\"expected_version\":0,\"patch\":{\"team\":\"y\"}}");
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(t.get(unique(c, "/username", "ann")).json()).isEqualTo(patched.json());
  }

  @Test
  void everyRecordsWriteCarriesTheActorOfItsRequest() {
    String c = declareAgents();
    String tenantName = unique("t");
    Http t = tenant(tenantName);
    String records = "/v1/collections/" + c + "/records";
    String one = records + "/A-1";
    assertThat(
            t.post(
                    records,
                    "{\"id\":\"A-1\",\"data\":{\"username\":\"ann\"}}",
                    "X-Actor",
                    "user:ann")
                .status())
        .isEqualTo(201);
    assertThat(
            t.send(
                    "PUT",
                    one,
                    "{\"expected_version\":0,\"data\":{\"username\":\"ann\",\"team\":\"a\"}}",
                    "X-Actor",
                    "agent:triage-bot")
                .status())
        .isEqualTo(200);
    assertThat(
            t.send(
                    "PATCH",
                    one,
                    "{\"expected_version\":1,\"patch\":{\"team\":\"b\"}}",
                    "X-Actor",
                    "service:sync v2")
                .status())
        .isEqualTo(200);
    assertThat(t.post(one + "/archive", "{\"expected_version\":2}", "X-Actor", "user:bob").status())
        .isEqualTo(200);
    assertThat(
            t.post(
                    one + "/archive",
                    "{\"expected_version\":3,\"archived\":false}",
                    "X-Actor",
                    "user:bob")
                .status())
        .isEqualTo(200);
    // without the header, in dev mode: no actor
    assertThat(t.send("PATCH", one, "{\"expected_version\":4,\"patch\":{\"team\":\"c\"}}").status())
        .isEqualTo(200);
    String longest = "a".repeat(200);
    assertThat(
            t.send("DELETE", one + "?expected_version=5", (String) null, "X-Actor", longest)
                .status())
        .isEqualTo(204);

    JsonNode events = t.get(one + "/history").json().get("events");
    List<String> actors = new ArrayList<>();
    for (JsonNode e : events) actors.add(e.at("/metadata/actor").asText(null));
    assertThat(actors)
        .containsExactly(
            "user:ann",
            "agent:triage-bot",
            "service:sync v2",
            "user:bob",
            "user:bob",
            null,
            longest);
    // the same in the store's own stream, and beside the request's trace id
    var stored =
        flowstore.records(TenantId.of(tenantName)).history(c, "A-1", 0, 1).get(0).metadata();
    assertThat(stored.get("actor").asText()).isEqualTo("user:ann");
    assertThat(stored.get("trace_id").asText()).isNotBlank();
  }

  @Test
  void aBadActorIsRefusedBeforeAnythingIsWritten() {
    String c = declareAgents();
    Http t = tenant(unique("t"));
    String records = "/v1/collections/" + c + "/records";
    String body = "{\"id\":\"A-1\",\"data\":{\"username\":\"ann\"}}";
    Http.Response tooLong = t.post(records, body, "X-Actor", "a".repeat(201));
    assertBad(tooLong, 400, "INVALID_ARGUMENT");
    assertThat(tooLong.json().at("/error/message").asText())
        .contains("X-Actor")
        .contains("at most 200");
    Http.Response control = t.post(records, body, "X-Actor", "user:\tann");
    assertBad(control, 400, "INVALID_ARGUMENT");
    assertThat(control.json().at("/error/message").asText())
        .contains("X-Actor")
        .contains("printable ASCII")
        .contains("\\u0009");
    assertBad(t.get(records + "/A-1"), 404, "NOT_FOUND");
    assertThat(t.get(records).json().get("records")).isEmpty();
    // a write refused for its actor changes nothing either
    assertThat(t.post(records, body).status()).isEqualTo(201);
    assertBad(
        t.send(
            "PATCH",
            records + "/A-1",
            "{\"expected_version\":0,\"patch\":{\"team\":\"x\"}}",
            "X-Actor",
            "x".repeat(300)),
        400,
        "INVALID_ARGUMENT");
    assertBad(
        t.send("DELETE", records + "/A-1?expected_version=0", (String) null, "X-Actor", "a\tb"),
        400,
        "INVALID_ARGUMENT");
    assertThat(t.get(records + "/A-1").json().get("version").asLong()).isZero();
  }

  @Test
  void aCollectionSaysWhetherItsFullTextBuildIsComplete() {
    String c = "notes_" + UUID.randomUUID().toString().substring(0, 8);
    String indexed = "\"indexed\":[{\"pointer\":\"/tag\",\"type\":\"string\"}]";
    Http.Response v1 = http.post("/v1/collections", "{\"name\":\"" + c + "\"," + indexed + "}");
    assertThat(v1.json().get("full_text_ready").asBoolean()).isTrue();
    Http t = tenant(unique("t"));
    for (String id : List.of("N1", "N2"))
      assertThat(
              t.post(
                      "/v1/collections/" + c + "/records",
                      "{\"id\":\"" + id + "\",\"data\":{\"tag\":\"x\",\"text\":\"a note\"}}")
                  .status())
          .isEqualTo(201);
    // a full_text build stopped by a unique value held twice: declared, its texts not ready
    String both =
        "{\"name\":\"" + c + "\"," + indexed + ",\"unique\":[\"/tag\"],\"full_text\":[\"/text\"]}";
    assertBad(http.post("/v1/collections", both), 409, "ALREADY_EXISTS");
    JsonNode stuck = t.get("/v1/collections/" + c).json();
    assertThat(stuck.get("full_text_ready").asBoolean()).isFalse();
    assertThat(stuck.get("ready").asBoolean()).isFalse();
    JsonNode listed = null;
    for (JsonNode each : t.get("/v1/collections").json().get("collections"))
      if (each.get("name").asText().equals(c)) listed = each;
    assertThat(listed).isNotNull();
    assertThat(listed.get("full_text_ready").asBoolean()).isFalse();
    // a search is answered meanwhile
    assertThat(t.get("/v1/collections/" + c + "/records?q=note").status()).isEqualTo(200);
    // fixed and declared again: complete
    assertThat(
            t.send(
                    "PATCH",
                    "/v1/collections/" + c + "/records/N2",
                    "{\"expected_version\":0,\"patch\":{\"tag\":\"y\"}}")
                .status())
        .isEqualTo(200);
    JsonNode fixed = http.post("/v1/collections", both).json();
    assertThat(fixed.get("full_text_ready").asBoolean()).isTrue();
    assertThat(t.get("/v1/collections/" + c).json().get("full_text_ready").asBoolean()).isTrue();
    assertThat(
            t.get("/v1/collections/" + c + "/records?q=note&with_count=true")
                .json()
                .get("count")
                .asLong())
        .isEqualTo(2);
  }

  private long counter(String name) {
    return flowstore.metrics().stream()
        .filter(m -> m.name().equals(name))
        .mapToLong(m -> m.count().getAsLong())
        .findFirst()
        .orElse(0);
  }

  private List<String> counterNames() {
    return flowstore.metrics().stream().map(MetricCounter::name).toList();
  }
}
