package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.server.internal.http.OpenApiDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The server's real answers checked against openapi.yaml by a maintained OpenAPI 3.1 validator
 * (Atlassian's openapi-request-validator, JSON Schema 2020-12 through networknt): for every
 * operation, success and error answers, the status must be documented for the operation and the
 * content type and body must match the document's schema. Requests meant to be valid are validated
 * too, so the document does not forbid what clients are expected to send.
 *
 * <p>The scenario tests drive each operation through its states; the generic ones walk the document
 * and send every operation the errors any operation can get (an invalid tenant, a malformed or
 * oversize body, no API key), with the document's own parameter examples as path values. The last
 * test checks that every documented operation was exercised with a 2xx and, under /v1, a 4xx.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class OpenApiConformanceContract extends ServerTestBase {
  static final JsonNode DOC = document();
  static final OpenApiInteractionValidator VALIDATOR =
      OpenApiInteractionValidator.createForInlineApiSpecification(
              new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8))
          .withLevelResolver(
              LevelResolver.create()
                  // why: a query parameter the document does not name is a documentation gap
                  .withLevel(
                      "validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                  .build())
          .build();
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete");
  private static final Pattern TEMPLATE_VAR = Pattern.compile("\\{([^}]+)}");

  /** "METHOD /template" -> the statuses the server answered. */
  private final SortedMap<String, Set<Integer>> seen = new TreeMap<>();

  // ---------------------------------------------------------------- events

  @Test
  void events() {
    String t = unique("t");
    String stream = "order-" + UUID.randomUUID().toString().substring(0, 8);
    String eventId = UUID.randomUUID().toString();
    String append =
        j(
            "{'expected_version':'no_stream','events':[{'type':'order.created','payload':{'n':1},"
                + "'metadata':{'source':'shop'},'event_id':'"
                + eventId
                + "'}]}");
    String op = "/v1/streams/{stream}/events";
    call("POST", op, stream).tenant(t).body(append).expect(201);
    call("POST", op, stream).tenant(t).body(append).expect(200);
    call("POST", op, stream)
        .tenant(t)
        .body(j("{'expected_version':7,'events':[{'type':'x'}]}"))
        .expect(409, "VERSION_CONFLICT");
    call("POST", op, stream)
        .tenant(t)
        .body(j("{'events':[{'type':'x','event_id':'" + eventId + "'}]}"))
        .expect(409, "EVENT_ID_CONFLICT");
    call("POST", op, stream)
        .tenant(t)
        .body(j("{'events':[]}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("POST", op, "-not-a-stream")
        .tenant(t)
        .body(j("{'events':[{'type':'x'}]}"))
        .invalidRequest()
        .expect(400, "INVALID_ID");
    String keyed = j("{'events':[{'type':'order.paid'}]}");
    Http.Response first =
        call("POST", op, stream).tenant(t).header("Idempotency-Key", "k-1").body(keyed).expect(201);
    Http.Response replay =
        call("POST", op, stream).tenant(t).header("Idempotency-Key", "k-1").body(keyed).expect(201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.text()).isEqualTo(first.text());
    call("POST", op, stream)
        .tenant(t)
        .header("Idempotency-Key", "k-1")
        .body(j("{'events':[{'type':'other'}]}"))
        .expect(422, "IDEMPOTENCY_KEY_REUSED");

    call("POST", op, stream)
        .tenant(t)
        .header("Idempotency-Key", "k".repeat(255))
        .body(j("{'events':[{'type':'order.noted'}]}"))
        .expect(201);
    call("POST", op, stream)
        .tenant(t)
        .header("Idempotency-Key", "k".repeat(256))
        .body(j("{'events':[{'type':'order.noted'}]}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", op, stream).tenant(t).expect(200);
    call("GET", op, stream)
        .tenant(t)
        .query("direction=backward&limit=1&from_version=2")
        .header("X-Trace-Id", "trace-1")
        .expect(200);
    call("GET", op, "never-written").tenant(t).expect(200);
    call("GET", op, stream).tenant(t).query("direction=sideways").invalidRequest().expect(400);
    call("GET", "/v1/events").tenant(t).expect(200);
    call("GET", "/v1/events").tenant(t).query("after=0&limit=1&category=order").expect(200);
    call("GET", "/v1/events").tenant(t).query("after=-1").invalidRequest().expect(400);
  }

  // ---------------------------------------------------------------- flows and sessions

  @Test
  void flowsAndSessions() {
    String t = unique("t");
    String flow =
        j(
            "{'flow_id':'approval','name':'Approval','description':'Two-step approval',"
                + "'yaml_content':'start: review\\n','param_schema':{'type':'object',"
                + "'required':['amount'],'properties':{'amount':{'type':'number'}}}}");
    call("POST", "/v1/flows").tenant(t).body(flow).expect(201);
    call("POST", "/v1/flows")
        .tenant(t)
        .body(j("{'flow_id':'bare','yaml_content':'a: 1'}"))
        .expect(201);
    call("POST", "/v1/flows")
        .tenant(t)
        .body(j("{'flow_id':'bad','yaml_content':'- not\\n- a mapping'}"))
        .expect(400, "INVALID_ARGUMENT");
    call("GET", "/v1/flows").tenant(t).expect(200);
    call("GET", "/v1/flows").tenant(t).query("limit=1").expect(200);
    call("GET", "/v1/flows").tenant(t).query("after=approval&limit=1").expect(200);
    call("GET", "/v1/flows").tenant(t).query("limit=0").invalidRequest().expect(400);
    call("GET", "/v1/flows/{flow_id}", "approval").tenant(t).expect(200);
    call("GET", "/v1/flows/{flow_id}", "bare").tenant(t).query("version=1").expect(200);
    call("GET", "/v1/flows/{flow_id}", "approval").tenant(t).query("version=9").expect(404);
    call("GET", "/v1/flows/{flow_id}", "nope").tenant(t).expect(404, "NOT_FOUND");
    call("GET", "/v1/flows/{flow_id}", "approval")
        .tenant(t)
        .query("version=0")
        .invalidRequest()
        .expect(400);

    String sessions = "/v1/sessions";
    String id = UUID.randomUUID().toString();
    String create =
        j(
            "{'session_id':'"
                + id
                + "','flow_id':'approval','initial_state':'draft','stage':'intake',"
                + "'state':{'step':0},'params':{'amount':5},'metadata':{'source':'test'},"
                + "'schedule_id':'nightly','ttl_seconds':3600}");
    call("POST", sessions).tenant(t).body(create).expect(201);
    call("POST", sessions).tenant(t).body(create).expect(201);
    call("POST", sessions)
        .tenant(t)
        .body(j("{'session_id':'" + id + "','initial_state':'other'}"))
        .expect(409, "VERSION_CONFLICT");
    call("POST", sessions)
        .tenant(t)
        .body(j("{'flow_id':'approval','params':{'amount':'lots'}}"))
        .expect(400, "INVALID_ARGUMENT");
    call("POST", sessions).tenant(t).body(j("{'flow_id':'missing'}")).expect(404, "NOT_FOUND");
    call("POST", sessions)
        .tenant(t)
        .body(j("{'flow_id':'approval','flow_version':9,'params':{'amount':1}}"))
        .expect(404, "NOT_FOUND");
    call("POST", sessions)
        .tenant(t)
        .body(j("{'flow_id':'approval','flow_version':0,'params':{'amount':1}}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    String child =
        call("POST", sessions)
            .tenant(t)
            .body(j("{'parent_session_id':'" + id + "'}"))
            .expect(201)
            .json()
            .get("session_id")
            .asText();
    call("POST", sessions)
        .tenant(t)
        .body(j("{'ttl':1}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", sessions).tenant(t).expect(200);
    String cursor =
        call("GET", sessions)
            .tenant(t)
            .query("limit=1&status=active")
            .expect(200)
            .json()
            .get("next_cursor")
            .asText();
    call("GET", sessions).tenant(t).query("limit=1&cursor=" + cursor).expect(200);
    call("GET", sessions).tenant(t).query("flow_id=approval").expect(200);
    call("GET", sessions).tenant(t).query("cursor=garbage").expect(400, "INVALID_ARGUMENT");
    call("GET", sessions).tenant(t).query("status=asleep").invalidRequest().expect(400);

    String session = "/v1/sessions/{session_id}";
    call("GET", session, id).tenant(t).expect(200);
    call("GET", session, child).tenant(t).expect(200);
    call("GET", session, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", session, "not-a-uuid").tenant(t).invalidRequest().expect(400, "INVALID_ID");

    String change = "/v1/sessions/{session_id}/transitions";
    call("POST", change, id)
        .tenant(t)
        .body(j("{'expected_version':0,'to_state':'review','stage':'check','payload':{'by':'a'}}"))
        .expect(200);
    call("POST", change, id)
        .tenant(t)
        .body(j("{'expected_version':0,'to_state':'again'}"))
        .expect(409, "VERSION_CONFLICT");
    call("POST", change, id)
        .tenant(t)
        .body(j("{'expected_version':1,'status':'completed','state':{'done':true}}"))
        .expect(200);
    call("POST", change, id)
        .tenant(t)
        .body(j("{'expected_version':2,'to_state':'zombie'}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", change, UUID.randomUUID())
        .tenant(t)
        .body(j("{'expected_version':0,'to_state':'x'}"))
        .expect(404, "NOT_FOUND");
    call("POST", change, id)
        .tenant(t)
        .body(j("{'to_state':'x'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", session, id).tenant(t).query("as_of_version=1").expect(200);
    call("GET", session, id).tenant(t).query("as_of_version=99").expect(404);

    String history = "/v1/sessions/{session_id}/events";
    call("GET", history, id).tenant(t).expect(200);
    call("GET", history, id).tenant(t).query("from_version=1&limit=1").expect(200);
    call("GET", history, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", history, id).tenant(t).query("limit=5000").invalidRequest().expect(400);
  }

  // ---------------------------------------------------------------- steps

  @Test
  void steps() {
    String t = unique("t");
    String s = UUID.randomUUID().toString();
    String attempt = "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}";
    String running = j("{'status':'running','input':{'city':'Oslo'}}");
    call("PUT", attempt, s, "fetch", 1).tenant(t).body(running).expect(201);
    call("PUT", attempt, s, "fetch", 1).tenant(t).body(running).expect(200);
    call("PUT", attempt, s, "fetch", 2)
        .tenant(t)
        .body(j("{'status':'succeeded','output':{'temp':3},'result_hash':'abc'}"))
        .expect(201);
    call("PUT", attempt, s, "fetch", 3).tenant(t).body("{}").expect(201);
    call("PUT", attempt, s, "fetch", 0)
        .tenant(t)
        .body(running)
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("PUT", attempt, s, "fetch", 4)
        .tenant(t)
        .body(j("{'status':'running','output':{}}"))
        .expect(400, "INVALID_ARGUMENT");
    call("GET", attempt, s, "fetch", 1).tenant(t).expect(200);
    call("GET", attempt, s, "fetch", 2).tenant(t).expect(200);
    call("GET", attempt, s, "fetch", 9).tenant(t).expect(404, "NOT_FOUND");
    call("GET", attempt, "nope", "fetch", 1).tenant(t).invalidRequest().expect(400, "INVALID_ID");

    String finish = attempt + "/finish";
    call("POST", finish, s, "fetch", 1)
        .tenant(t)
        .body(j("{'status':'succeeded','output':{'temp':2}}"))
        .expect(200);
    call("POST", finish, s, "fetch", 1)
        .tenant(t)
        .body(j("{'status':'failed','error':'late'}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", finish, s, "fetch", 3)
        .tenant(t)
        .body(j("{'status':'failed','error':'timeout'}"))
        .expect(200);
    call("POST", finish, s, "fetch", 9)
        .tenant(t)
        .body(j("{'status':'skipped'}"))
        .expect(404, "NOT_FOUND");
    call("POST", finish, s, "fetch", 1)
        .tenant(t)
        .body(j("{'status':'running'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");

    String list = "/v1/sessions/{session_id}/steps";
    call("GET", list, s).tenant(t).expect(200);
    call("GET", list, s).tenant(t).query("limit=2").expect(200);
    call("GET", list, UUID.randomUUID()).tenant(t).expect(200);
    call("GET", list, s).tenant(t).query("limit=0").invalidRequest().expect(400);
  }

  // ---------------------------------------------------------------- checkpoints

  @Test
  void checkpoints() {
    String t = unique("t");
    String s = UUID.randomUUID().toString();
    String save = "/v1/sessions/{session_id}/checkpoints";
    String first =
        j("{'checkpoint_id':'cp-1','data':{'k':1},'bytes':'aGVsbG8=','metadata':{'step':1}}");
    String token =
        call("POST", save, s).tenant(t).body(first).expect(201).json().get("resume_token").asText();
    call("POST", save, s).tenant(t).body(first).expect(201);
    call("POST", save, s)
        .tenant(t)
        .body(j("{'checkpoint_id':'cp-2','parent_checkpoint_id':'cp-1','data':{'k':2}}"))
        .expect(201);
    call("POST", save, s).tenant(t).body(j("{'data':{'k':3}}")).expect(201);
    call("POST", save, s)
        .tenant(t)
        .body(j("{'checkpoint_id':'cp-1','data':{'k':99}}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", save, s)
        .tenant(t)
        .body(j("{'parent_checkpoint_id':'ghost','data':{}}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", save, s)
        .tenant(t)
        .body(j("{'data':'not an object'}"))
        .invalidRequest()
        .expect(400, "INVALID_JSON");
    call("GET", save, s).tenant(t).expect(200);
    call("GET", save, s).tenant(t).query("limit=1").expect(200);
    call("GET", save, s).tenant(t).query("before=2&limit=1").expect(200);
    call("GET", save, s).tenant(t).query("before=0").invalidRequest().expect(400);

    String latest = "/v1/sessions/{session_id}/checkpoints/latest";
    call("GET", latest, s).tenant(t).expect(200);
    call("GET", latest, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    String one = "/v1/sessions/{session_id}/checkpoints/{checkpoint_id}";
    call("GET", one, s, "cp-1").tenant(t).expect(200);
    call("GET", one, s, "cp-9").tenant(t).expect(404, "NOT_FOUND");
    call("GET", one, s, "-bad").tenant(t).invalidRequest().expect(400);

    String resume = "/v1/checkpoints/resume";
    call("GET", resume).tenant(t).query("token=" + token).expect(200);
    call("GET", resume).tenant(unique("o")).query("token=" + token).expect(404, "NOT_FOUND");
    call("GET", resume).tenant(t).query("token=garbage").expect(400, "INVALID_ARGUMENT");
    call("GET", resume).tenant(t).invalidRequest().expect(400, "INVALID_ARGUMENT");
  }

  // ---------------------------------------------------------------- nodes

  @Test
  void nodes() {
    String t = unique("t");
    String node = "/v1/nodes/{node_id}";
    call("PUT", node, "http-fetch")
        .tenant(t)
        .body(
            j(
                "{'node_type':'webhook','name':'HTTP fetch','description':'GET a URL',"
                    + "'endpoint':'https://example.com/hook','param_schema':{'type':'object'},"
                    + "'status':'active'}"))
        .expect(200);
    call("PUT", node, "noop")
        .tenant(t)
        .body(j("{'node_type':'builtin','name':'No-op'}"))
        .expect(200);
    call("PUT", node, "noop")
        .tenant(t)
        .body(j("{'node_type':'builtin','name':'No-op','endpoint':'https://example.com'}"))
        .expect(400, "INVALID_ARGUMENT");
    call("PUT", node, "noop")
        .tenant(t)
        .body(j("{'node_type':'robot','name':'x'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", node, "http-fetch").tenant(t).expect(200);
    call("GET", node, "noop").tenant(t).expect(200);
    call("GET", node, "absent").tenant(t).expect(404, "NOT_FOUND");
    call("GET", node, "-bad").tenant(t).invalidRequest().expect(400);
    call("GET", "/v1/nodes").tenant(t).expect(200);
    call("GET", "/v1/nodes").tenant(t).query("type=webhook&limit=1").expect(200);
    call("GET", "/v1/nodes").tenant(t).query("after=http-fetch&limit=1").expect(200);
    call("GET", "/v1/nodes").tenant(t).query("type=robot").invalidRequest().expect(400);
  }

  // ---------------------------------------------------------------- tasks

  @Test
  void tasks() {
    String t = unique("t");
    String session = UUID.randomUUID().toString();
    String a = createTask(t, j("{'task_type':'render','session_id':'" + session + "'}"));
    String b = createTask(t, j("{'task_type':'render'}"));
    String c = createTask(t, j("{'task_type':'render'}"));
    call("POST", "/v1/tasks").tenant(t).body("{}").invalidRequest().expect(400, "INVALID_ARGUMENT");
    call("GET", "/v1/tasks").tenant(t).expect(200);
    call("GET", "/v1/tasks")
        .tenant(t)
        .query("session_id=" + session + "&status=pending&limit=5")
        .expect(200);
    call("GET", "/v1/tasks").tenant(t).query("status=sleeping").invalidRequest().expect(400);
    String task = "/v1/tasks/{task_id}";
    call("GET", task, a).tenant(t).expect(200);
    call("GET", task, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", task, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");

    call("POST", task + "/start", a).tenant(t).expect(200);
    call("POST", task + "/start", a).tenant(t).body("{}").expect(422, "UNPROCESSABLE");
    call("POST", task + "/start", UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("POST", task + "/progress", a).tenant(t).body(j("{'progress':12.5}")).expect(200);
    call("POST", task + "/progress", a)
        .tenant(t)
        .body(j("{'progress':101}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("POST", task + "/progress", b).tenant(t).body(j("{'progress':1}")).expect(422);
    call("POST", task + "/complete", a)
        .tenant(t)
        .body(j("{'result':{'url':'s3://x'}}"))
        .expect(200);
    call("POST", task + "/complete", a).tenant(t).expect(422, "UNPROCESSABLE");
    call("POST", task + "/fail", a).tenant(t).body(j("{'error':'late'}")).expect(422);
    call("POST", task + "/start", b).tenant(t).expect(200);
    call("POST", task + "/fail", b).tenant(t).body(j("{'error':'out of memory'}")).expect(200);
    call("POST", task + "/fail", b)
        .tenant(t)
        .body("{}")
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("POST", task + "/cancel", b).tenant(t).expect(422, "UNPROCESSABLE");
    call("POST", task + "/cancel", c).tenant(t).body("{}").expect(200);
    call("POST", task + "/cancel", UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
  }

  private String createTask(String tenant, String body) {
    return call("POST", "/v1/tasks")
        .tenant(tenant)
        .body(body)
        .expect(201)
        .json()
        .get("task_id")
        .asText();
  }

  // ---------------------------------------------------------------- resume handles

  @Test
  void resumeHandles() {
    String t = unique("t");
    String s = UUID.randomUUID().toString();
    String handles = "/v1/resume-handles";
    String expires = Instant.now().plus(Duration.ofDays(1)).toString();
    String h =
        call("POST", handles)
            .tenant(t)
            .body(
                j(
                    "{'session_id':'"
                        + s
                        + "','correlation_id':'approval-1','expires_at':'"
                        + expires
                        + "'}"))
            .expect(201)
            .json()
            .get("handle_id")
            .asText();
    call("POST", handles)
        .tenant(t)
        .body(j("{'session_id':'" + s + "','correlation_id':'approval-1'}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", handles)
        .tenant(t)
        .body(j("{'session_id':'" + s + "'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", handles).tenant(t).query("session_id=" + s).expect(200);
    call("GET", handles).tenant(t).query("correlation_id=approval-1&limit=1").expect(200);
    call("GET", handles).tenant(t).expect(400, "INVALID_ARGUMENT");
    call("GET", handles + "/{handle_id}", h).tenant(t).expect(200);
    call("GET", handles + "/{handle_id}", UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", handles + "/{handle_id}", "x").tenant(t).invalidRequest().expect(400);

    String paused = handles + "/{handle_id}/paused";
    call("POST", paused, h).tenant(t).expect(200);
    call("POST", paused, h).tenant(t).body("{}").expect(422, "UNPROCESSABLE");
    call("POST", paused, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    String resume = handles + "/{correlation_id}/resume";
    call("POST", resume, "approval-1")
        .tenant(t)
        .body(j("{'payload':{'approved':true}}"))
        .expect(200);
    call("POST", resume, "approval-1").tenant(t).expect(422, "UNPROCESSABLE");
    call("POST", resume, "never").tenant(t).expect(404, "NOT_FOUND");

    String early =
        call("POST", handles)
            .tenant(t)
            .body(j("{'session_id':'" + s + "','correlation_id':'approval-2'}"))
            .expect(201)
            .json()
            .get("handle_id")
            .asText();
    call("POST", resume, "approval-2").tenant(t).body("{}").expect(200);
    call("POST", paused, early).tenant(t).expect(200);
  }

  // ---------------------------------------------------------------- commands

  @Test
  void commands() {
    String t = unique("t");
    String s = UUID.randomUUID().toString();
    String submit =
        j(
            "{'session_id':'"
                + s
                + "','command_type':'cancel','payload':{'reason':'user'},"
                + "'idempotency_key':'cmd-1'}");
    String c =
        call("POST", "/v1/commands")
            .tenant(t)
            .body(submit)
            .expect(201)
            .json()
            .get("command_id")
            .asText();
    call("POST", "/v1/commands").tenant(t).body(submit).expect(200);
    call("POST", "/v1/commands")
        .tenant(t)
        .body(j("{'session_id':'" + s + "','command_type':'retry','idempotency_key':'cmd-1'}"))
        .expect(422, "IDEMPOTENCY_KEY_REUSED");
    call("POST", "/v1/commands")
        .tenant(t)
        .body(j("{'command_type':'cancel'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", "/v1/commands").tenant(t).query("session_id=" + s).expect(200);
    call("GET", "/v1/commands")
        .tenant(t)
        .query("session_id=" + s + "&status=received&limit=1")
        .expect(200);
    call("GET", "/v1/commands").tenant(t).invalidRequest().expect(400, "INVALID_ARGUMENT");
    String one = "/v1/commands/{command_id}";
    call("GET", one, c).tenant(t).expect(200);
    call("GET", one, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", one, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");

    call("POST", one + "/start", c).tenant(t).expect(200);
    call("POST", one + "/start", c).tenant(t).body("{}").expect(422, "UNPROCESSABLE");
    call("POST", one + "/start", UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("POST", one + "/complete", c).tenant(t).expect(200);
    call("POST", one + "/complete", c).tenant(t).expect(422, "UNPROCESSABLE");
    call("POST", one + "/complete", UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("POST", one + "/fail", c).tenant(t).body(j("{'error':'late'}")).expect(422);
    String d =
        call("POST", "/v1/commands")
            .tenant(t)
            .body(j("{'session_id':'" + s + "','command_type':'retry'}"))
            .expect(201)
            .json()
            .get("command_id")
            .asText();
    call("POST", one + "/start", d).tenant(t).expect(200);
    call("POST", one + "/fail", d).tenant(t).body(j("{'error':'worker crashed'}")).expect(200);
    call("POST", one + "/fail", UUID.randomUUID())
        .tenant(t)
        .body(j("{'error':'x'}"))
        .expect(404, "NOT_FOUND");
    call("POST", one + "/fail", d)
        .tenant(t)
        .body(j("{'error':''}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
  }

  // ---------------------------------------------------------------- queue and DLQ

  @Test
  void queueAndDeadLetters() {
    String t = unique("t");
    String jobs = "/v1/queues/{queue}/jobs";
    String leases = "/v1/queues/{queue}/leases";
    String single =
        j(
            "{'job_type':'send-email','payload':{'to':'a@example.com'},'priority':5,"
                + "'max_attempts':3,'unique_key':'welcome-1','trace_id':'tr-1',"
                + "'event_id':'"
                + UUID.randomUUID()
                + "'}");
    String id =
        call("POST", jobs, "emails")
            .tenant(t)
            .body(single)
            .expect(201)
            .json()
            .get("job_id")
            .asText();
    call("POST", jobs, "emails").tenant(t).body(single).expect(200);
    call("POST", jobs, "emails")
        .tenant(t)
        .body(
            j(
                "{'jobs':[{'job_type':'a','delay_s':3600},{'job_type':'b','run_at':'2030-01-01T00:00:00Z'}]}"))
        .expect(201);
    call("POST", jobs, "emails").tenant(t).body(j("{'jobs':[]}")).invalidRequest().expect(400);
    call("POST", jobs, "emails")
        .tenant(t)
        .body(j("{'job_type':'x','delay_s':1,'run_at':'2030-01-01T00:00:00Z'}"))
        .expect(400, "INVALID_ARGUMENT");
    call("POST", jobs, "-bad").tenant(t).body(j("{'job_type':'x'}")).invalidRequest().expect(400);
    call("GET", "/v1/queues").tenant(t).expect(200);

    JsonNode lease =
        call("POST", leases, "emails")
            .tenant(t)
            .body(j("{'max':1,'visibility_timeout_s':30}"))
            .expect(200)
            .json()
            .get("leases")
            .get(0);
    assertThat(lease.get("job_id").asText()).isEqualTo(id);
    long token = lease.get("lease_token").asLong();
    call("POST", leases, "empty").tenant(t).expect(200);
    call("POST", leases, "emails").tenant(t).body(j("{'max':0}")).invalidRequest().expect(400);
    String job = "/v1/jobs/{job_id}";
    call("GET", job, id).tenant(t).expect(200);
    call("GET", job, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("GET", job, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");
    call("POST", job + "/heartbeat", id)
        .tenant(t)
        .body(j("{'lease_token':" + token + ",'extend_s':60}"))
        .expect(200);
    call("POST", job + "/heartbeat", id)
        .tenant(t)
        .body(j("{'lease_token':" + (token + 100) + "}"))
        .expect(409, "LEASE_LOST");
    call("POST", job + "/heartbeat", UUID.randomUUID())
        .tenant(t)
        .body(j("{'lease_token':1}"))
        .expect(404, "NOT_FOUND");
    call("POST", job + "/release", id)
        .tenant(t)
        .body(j("{'lease_token':" + token + "}"))
        .expect(200);
    call("POST", job + "/release", id)
        .tenant(t)
        .body(j("{'lease_token':" + token + "}"))
        .expect(409, "LEASE_LOST");
    call("POST", job + "/release", UUID.randomUUID())
        .tenant(t)
        .body(j("{'lease_token':1}"))
        .expect(404, "NOT_FOUND");
    token = leaseOne(t, "emails");
    call("POST", job + "/ack", id).tenant(t).body(j("{'lease_token':" + token + "}")).expect(200);
    call("POST", job + "/ack", id)
        .tenant(t)
        .body(j("{'lease_token':" + token + "}"))
        .expect(409, "LEASE_LOST");
    call("POST", job + "/ack", UUID.randomUUID())
        .tenant(t)
        .body(j("{'lease_token':1}"))
        .expect(404, "NOT_FOUND");
    call("POST", job + "/ack", id)
        .tenant(t)
        .body(j("{'lease_token':0}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");

    // dead letters: max_attempts 1, one nack
    String dead = enqueueOne(t, "mail", j("{'job_type':'x','max_attempts':2,'unique_key':'u-1'}"));
    token = leaseOne(t, "mail");
    call("POST", job + "/nack", dead)
        .tenant(t)
        .body(j("{'lease_token':" + token + ",'error':'smtp down','retry_delay_s':0}"))
        .expect(200);
    call("POST", job + "/nack", dead)
        .tenant(t)
        .body(j("{'lease_token':" + token + ",'error':'again'}"))
        .expect(409, "LEASE_LOST");
    call("POST", job + "/nack", UUID.randomUUID())
        .tenant(t)
        .body(j("{'lease_token':1,'error':'x'}"))
        .expect(404, "NOT_FOUND");
    call("POST", job + "/nack", dead)
        .tenant(t)
        .body(j("{'lease_token':1}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    token = leaseOne(t, "mail");
    call("POST", job + "/nack", dead)
        .tenant(t)
        .body(j("{'lease_token':" + token + ",'error':'still down'}"))
        .expect(200);
    String other = enqueueOne(t, "mail", j("{'job_type':'y','max_attempts':1}"));
    call("POST", job + "/nack", other)
        .tenant(t)
        .body(j("{'lease_token':" + leaseOne(t, "mail") + ",'error':'no'}"))
        .expect(200);
    call("GET", job, dead).tenant(t).expect(200);

    call("GET", "/v1/dlq").tenant(t).expect(200);
    call("GET", "/v1/dlq").tenant(t).query("queue=mail&limit=1").expect(200);
    call("GET", "/v1/dlq").tenant(t).query("after=" + dead).expect(200);
    call("GET", "/v1/dlq").tenant(t).query("after=" + UUID.randomUUID()).expect(404, "NOT_FOUND");
    call("GET", "/v1/dlq").tenant(t).query("queue=-bad").invalidRequest().expect(400);
    String item = "/v1/dlq/{job_id}";
    call("GET", item, dead).tenant(t).expect(200);
    call("GET", item, id).tenant(t).expect(404, "NOT_FOUND");
    call("GET", item, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");
    enqueueOne(t, "mail", j("{'job_type':'x','unique_key':'u-1'}"));
    call("POST", item + "/redrive", dead).tenant(t).expect(422, "UNPROCESSABLE");
    call("POST", item + "/redrive", other).tenant(t).body("{}").expect(200);
    call("POST", item + "/redrive", other).tenant(t).expect(404, "NOT_FOUND");
    call("DELETE", item, dead).tenant(t).expect(204);
    call("DELETE", item, dead).tenant(t).expect(404, "NOT_FOUND");
    call("DELETE", item, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");
  }

  private String enqueueOne(String tenant, String queue, String body) {
    return call("POST", "/v1/queues/{queue}/jobs", queue)
        .tenant(tenant)
        .body(body)
        .expect(201)
        .json()
        .get("job_id")
        .asText();
  }

  private long leaseOne(String tenant, String queue) {
    return call("POST", "/v1/queues/{queue}/leases", queue)
        .tenant(tenant)
        .body(j("{'max':1}"))
        .expect(200)
        .json()
        .get("leases")
        .get(0)
        .get("lease_token")
        .asLong();
  }

  // ---------------------------------------------------------------- outbox and audit

  @Test
  void outboxAndAudit() {
    TenantId tenant = TenantId.of(unique("t"));
    String t = tenant.value();
    ObjectNode payload = Json.parseObject("p", "{\"to\":\"a@example.com\"}");
    flowstore.inTransaction(tenant, tx -> tx.outbox().add("queue:emails", payload, null, null));
    OutboxMessage failed =
        flowstore.inTransaction(
            tenant, tx -> tx.outbox().add("queue:emails", payload, null, UUID.randomUUID()));
    flowstore.outbox(tenant).markFailed(failed.messageId(), "broker says no", null);
    call("GET", "/v1/outbox").tenant(t).expect(200);
    call("GET", "/v1/outbox").tenant(t).query("status=failed&limit=1").expect(200);
    call("GET", "/v1/outbox")
        .tenant(t)
        .query("status=pending&after=" + UUID.randomUUID())
        .expect(200);
    call("GET", "/v1/outbox").tenant(t).query("status=lost").invalidRequest().expect(400);
    String replay = "/v1/outbox/{message_id}/replay";
    call("POST", replay, failed.messageId()).tenant(t).expect(200);
    call("POST", replay, failed.messageId()).tenant(t).body("{}").expect(422, "UNPROCESSABLE");
    call("POST", replay, UUID.randomUUID()).tenant(t).expect(404, "NOT_FOUND");
    call("POST", replay, "x").tenant(t).invalidRequest().expect(400, "INVALID_ID");

    for (String r : new String[] {"r1", "r2"}) {
      flowstore
          .audit(tenant)
          .append(
              new NewAuditEntry(
                  "alice",
                  "ticket.updated",
                  "ticket",
                  r,
                  "tr",
                  Json.parseObject("b", "{\"state\":\"open\"}"),
                  null));
    }
    call("GET", "/v1/audit").tenant(t).expect(200);
    call("GET", "/v1/audit")
        .tenant(t)
        .query(
            "resource_type=ticket&resource_id=r1&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"
                + "&after=0&limit=10")
        .expect(200);
    call("GET", "/v1/audit").tenant(t).query("from=yesterday").invalidRequest().expect(400);
    call("GET", "/v1/audit/verify").tenant(t).expect(200);
  }

  // ---------------------------------------------------------------- records

  @Test
  void collectionsAndRecords() {
    String t = unique("t");
    String c = "tickets_" + UUID.randomUUID().toString().substring(0, 8);
    String kids = "comments_" + UUID.randomUUID().toString().substring(0, 8);
    call("POST", "/v1/collections")
        .tenant(t)
        .body(
            j(
                "{'name':'"
                    + c
                    + "','schema':{'type':'object','required':['status'],'properties':{'status':{'enum':['open','closed']}}},"
                    + "'indexed':[{'pointer':'/status','type':'string'},{'pointer':'/priority','type':'number'},{'pointer':'/ref','type':'string'}],'unique':['/ref'],'full_text':['/title'],"
                    + "'retention':{'action':'archive','days':90,'basis':'updated_at'}}"))
        .expect(200);
    call("POST", "/v1/collections")
        .tenant(t)
        .body(
            j(
                "{'name':'"
                    + kids
                    + "','parent':'"
                    + c
                    + "','indexed':[{'pointer':'/author','type':'string'}]}"))
        .expect(200);
    call("POST", "/v1/collections")
        .tenant(t)
        .body(j("{'name':'Bad Name'}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("POST", "/v1/collections")
        .tenant(t)
        .body(j("{'name':'kept_x','retention':{'action':'delete','days':0,'basis':'created_at'}}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("POST", "/v1/collections")
        .tenant(t)
        .body(j("{'name':'kept_x','retention':{'action':'delete','days':3,'basis':'/closed_at'}}"))
        .expect(400, "INVALID_ARGUMENT");
    call("POST", "/v1/collections")
        .tenant(t)
        .body(j("{'name':'orphans_x','parent':'no_such_parent'}"))
        .expect(404, "NOT_FOUND");
    call("GET", "/v1/collections").tenant(t).expect(200);
    call("GET", "/v1/collections").tenant("Bad!").invalidRequest().expect(400, "INVALID_TENANT");
    call("GET", "/v1/collections/{collection}", c).tenant(t).expect(200);
    call("GET", "/v1/collections/{collection}", "no_such").tenant(t).expect(404, "NOT_FOUND");

    String records = "/v1/collections/{collection}/records";
    call("POST", records, c)
        .tenant(t)
        .body(
            j(
                "{'id':'T-1','data':{'status':'open','priority':3,'ref':'R1','title':'Printer jam'}}"))
        .expect(201);
    call("POST", records, c)
        .tenant(t)
        .body(j("{'data':{'status':'closed','priority':1}}"))
        .expect(201);
    call("POST", records, c)
        .tenant(t)
        .body(j("{'id':'T-2','data':{'status':'open','ref':'R1'}}"))
        .expect(409, "ALREADY_EXISTS");
    call("POST", records, c)
        .tenant(t)
        .body(j("{'id':'T-3','data':{'status':'lost'}}"))
        .expect(400, "INVALID_ARGUMENT");
    call("POST", records, c)
        .tenant(t)
        .body(j("{'id':'T-4'}"))
        .invalidRequest()
        .expect(400, "INVALID_JSON");
    call("POST", records, "no_such").tenant(t).body(j("{'data':{}}")).expect(404, "NOT_FOUND");
    call("POST", records, c)
        .tenant(t)
        .header("X-Actor", "agent:ann")
        .body(j("{'id':'T-5','data':{'status':'open','ref':'R5'}}"))
        .expect(201);
    call("POST", records, c)
        .tenant(t)
        .header("X-Actor", "a".repeat(201))
        .body(j("{'id':'T-6','data':{'status':'open'}}"))
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");

    String unique = "/v1/collections/{collection}/unique";
    call("GET", unique, c).tenant(t).query("field=/ref&value=R1").expect(200);
    call("GET", unique, c).tenant(t).query("field=/ref&value=R9").expect(404, "NOT_FOUND");
    call("GET", unique, c)
        .tenant(t)
        .query("field=/status&value=open")
        .expect(400, "INVALID_ARGUMENT");
    call("GET", unique, c)
        .tenant(t)
        .query("value=R1")
        .invalidRequest()
        .expect(400, "INVALID_ARGUMENT");
    call("GET", unique, "no_such").tenant(t).query("field=/ref&value=R1").expect(404, "NOT_FOUND");
    call("GET", records, c)
        .tenant(t)
        .query(
            "where=/status:eq:open;/priority:gte:2&sort_by=/priority&order=desc&with_count=true&limit=10")
        .expect(200);
    call("GET", records, c).tenant(t).query("offset=1&include_archived=true").expect(200);
    call("GET", records, c).tenant(t).query("where=/title:eq:x").expect(400, "INVALID_ARGUMENT");
    call("GET", records, c).tenant(t).query("where=nonsense").expect(400, "INVALID_ARGUMENT");
    call("GET", records, c)
        .tenant(t)
        .query("q=printer&where=/status:eq:open&with_count=true")
        .expect(200);
    // a term without a word, and a collection without full_text fields
    call("GET", records, c).tenant(t).query("q=%2A%20-").expect(400, "INVALID_ARGUMENT");
    call("GET", records, kids).tenant(t).query("q=printer").expect(400, "INVALID_ARGUMENT");
    call("GET", records, "no_such").tenant(t).expect(404, "NOT_FOUND");

    String one = records + "/{record_id}";
    call("GET", one, c, "T-1").tenant(t).expect(200);
    call("GET", one, c, "T-1").tenant(t).query("as_of_version=0").expect(200);
    call("GET", one, c, "T-9").tenant(t).expect(404, "NOT_FOUND");
    call("GET", one, c, "-bad").tenant(t).invalidRequest().expect(400, "INVALID_ID");
    call("PUT", one, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':0,'data':{'status':'open','priority':4,'ref':'R1'}}"))
        .expect(200);
    call("PUT", one, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':0,'data':{'status':'open'}}"))
        .expect(409, "VERSION_CONFLICT");
    call("PATCH", one, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':1,'patch':{'status':'closed','priority':null}}"))
        .expect(200);
    call("PATCH", one, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':2,'patch':{'status':'gone'}}"))
        .expect(400, "INVALID_ARGUMENT");
    String archive = one + "/archive";
    call("POST", archive, c, "T-1").tenant(t).body(j("{'expected_version':2}")).expect(200);
    call("POST", archive, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':3,'archived':true}"))
        .expect(422, "UNPROCESSABLE");
    call("POST", archive, c, "T-1")
        .tenant(t)
        .body(j("{'expected_version':3,'archived':false}"))
        .expect(200);
    call("GET", one + "/history", c, "T-1").tenant(t).query("from_version=1&limit=2").expect(200);
    call("GET", one + "/history", c, "T-9").tenant(t).expect(404, "NOT_FOUND");

    String children = one + "/children";
    call("POST", records, kids)
        .tenant(t)
        .body(j("{'id':'k-1','parent_id':'T-1','data':{'author':'ann'}}"))
        .expect(201);
    call("GET", children, c, "T-1")
        .tenant(t)
        .query("collection=" + kids + "&where=/author:eq:ann&with_count=true")
        .expect(200);
    call("GET", children, c, "T-1").tenant(t).invalidRequest().expect(400, "INVALID_ARGUMENT");
    call("GET", children, c, "T-9").tenant(t).query("collection=" + kids).expect(404, "NOT_FOUND");

    call("DELETE", one, c, "T-1")
        .tenant(t)
        .query("expected_version=4")
        .expect(422, "UNPROCESSABLE");
    call("DELETE", one, kids, "k-1").tenant(t).query("expected_version=0").expect(204);
    call("DELETE", one, c, "T-1")
        .tenant(t)
        .query("expected_version=1")
        .expect(409, "VERSION_CONFLICT");
    call("DELETE", one, c, "T-1").tenant(t).query("expected_version=4").expect(204);
  }

  // ---------------------------------------------------------------- operations

  /**
   * The write freeze: a write is 503 MAINTENANCE with Retry-After, reads and health go on, and
   * lifting it lets the write through. (One test: the other tests' writes must never meet it.)
   */
  @Test
  void maintenanceFreezesWritesAndKeepsReads() {
    String t = unique("t");
    String append = "/v1/streams/{stream}/events";
    String event = j("{'events': [{'type': 'x', 'payload': {}}]}");
    try {
      call("GET", "/admin/maintenance").expect(200);
      Http.Response on =
          call("PUT", "/admin/maintenance")
              .body(j("{'enabled': true, 'reason': 'switching to PostgreSQL'}"))
              .expect(200);
      assertThat(on.json().get("enabled").asBoolean()).isTrue();
      assertThat(on.json().get("reason").asText()).isEqualTo("switching to PostgreSQL");
      Http.Response refused =
          call("POST", append, "frozen").tenant(t).body(event).expect(503, "MAINTENANCE");
      assertThat(refused.header("Retry-After")).isEqualTo("30");
      assertThat(refused.json().at("/error/message").asText()).contains("switching to PostgreSQL");
      call("GET", append, "frozen").tenant(t).expect(200);
      Http.Response ready = call("GET", "/health/ready").expect(200);
      assertThat(ready.json().at("/maintenance/enabled").asBoolean()).isTrue();
      assertThat(http.get("/metrics").text()).contains("flowstore_maintenance 1.0");
      call("PUT", "/admin/maintenance")
          .body(j("{'enabled': 'yes'}"))
          .invalidRequest()
          .expect(400, "INVALID_ARGUMENT");
      call("PUT", "/admin/maintenance")
          .body(j("{'enabled': true, 'why': 'x'}"))
          .invalidRequest()
          .expect(400, "INVALID_ARGUMENT");
    } finally {
      call("PUT", "/admin/maintenance").body(j("{'enabled': false}")).expect(200);
    }
    assertThat(call("GET", "/admin/maintenance").expect(200).json().get("enabled").asBoolean())
        .isFalse();
    call("POST", append, "frozen").tenant(t).body(event).expect(201);
    assertThat(http.get("/metrics").text()).contains("flowstore_maintenance 0.0");
  }

  @Test
  void healthMetricsAndTheDocument() {
    call("GET", "/health/live").expect(200);
    call("GET", "/health/ready").expect(200);
    call("GET", "/metrics").expect(200);
    // unknown paths and methods are no operation: their error body is checked against Error
    ObjectNode error = Json.MAPPER.createObjectNode().put("$ref", "#/components/schemas/Error");
    error.set("components", DOC.get("components"));
    Schema errorSchema =
        SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31())
            .getSchema(SchemaLocation.DOCUMENT, error);
    Http.Response noRoute = http.get("/v1/no-such-route");
    assertThat(noRoute.status()).isEqualTo(404);
    assertThat(noRoute.code()).isEqualTo("NOT_FOUND");
    assertThat(errorSchema.validate(noRoute.json())).isEmpty();
    Http.Response noMethod = http.delete("/v1/events");
    assertThat(noMethod.status()).isEqualTo(405);
    assertThat(noMethod.code()).isEqualTo("METHOD_NOT_ALLOWED");
    assertThat(errorSchema.validate(noMethod.json())).isEmpty();
    assertThat(errorSchema.validate(Json.parse("x", "{\"error\":{\"code\":\"NOPE\"}}")))
        .isNotEmpty();
    Http.Response doc = call("GET", "/openapi.yaml").expect(200);
    assertThat(doc.text()).isEqualTo(new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8));
  }

  /**
   * The checks above can fail: an answer the document does not allow (an undocumented field, a
   * wrong type, an undocumented status, another content type) is reported.
   */
  @Test
  void theValidatorRejectsAnswersTheDocumentDoesNotAllow() {
    String t = unique("t");
    String id =
        call("POST", "/v1/tasks")
            .tenant(t)
            .body(j("{'task_type':'render'}"))
            .expect(201)
            .json()
            .get("task_id")
            .asText();
    Http.Response real = call("GET", "/v1/tasks/{task_id}", id).tenant(t).expect(200);
    ObjectNode extra = (ObjectNode) real.json();
    extra.put("undocumented", 1);
    ObjectNode wrongType = (ObjectNode) real.json();
    wrongType.put("progress", "half");
    ObjectNode missing = (ObjectNode) real.json();
    missing.remove("status");
    String path = "/v1/tasks/" + id;
    for (JsonNode bad : List.of(extra, wrongType, missing)) {
      SimpleResponse r =
          SimpleResponse.Builder.ok()
              .withContentType("application/json")
              .withBody(Json.write(bad))
              .build();
      assertThat(messages("response", VALIDATOR.validateResponse(path, Request.Method.GET, r)))
          .as(bad.toString())
          .isNotEmpty();
    }
    SimpleResponse teapot =
        SimpleResponse.Builder.status(418)
            .withContentType("application/json")
            .withBody(real.text())
            .build();
    assertThat(messages("response", VALIDATOR.validateResponse(path, Request.Method.GET, teapot)))
        .isNotEmpty();
    SimpleResponse text =
        SimpleResponse.Builder.ok().withContentType("text/plain").withBody(real.text()).build();
    assertThat(messages("response", VALIDATOR.validateResponse(path, Request.Method.GET, text)))
        .isNotEmpty();
    // an allOf schema (the job plus its duplicate flag) still refuses an undocumented field
    Http.Response job =
        call("POST", "/v1/queues/{queue}/jobs", "q")
            .tenant(t)
            .body(j("{'job_type':'x'}"))
            .expect(201);
    ObjectNode jobExtra = (ObjectNode) job.json();
    jobExtra.put("undocumented", 1);
    SimpleResponse enqueued =
        SimpleResponse.Builder.status(201)
            .withContentType("application/json")
            .withBody(Json.write(jobExtra))
            .build();
    assertThat(
            messages(
                "response",
                VALIDATOR.validateResponse("/v1/queues/q/jobs", Request.Method.POST, enqueued)))
        .isNotEmpty();
  }

  // ---------------------------------------------------------------- generic, from the document

  /** An X-Tenant-Id that is not a tenant id is 400 INVALID_TENANT on every /v1 operation. */
  @Test
  void everyV1OperationRefusesAnInvalidTenantHeader() {
    for (Operation op : operations()) {
      if (!op.template().startsWith("/v1/")) continue;
      call(op.method(), op.template(), op.examplePathValues())
          .tenant("Not A Tenant!")
          .body(op.hasBody() ? "{}" : null)
          .invalidRequest()
          .expect(400, "INVALID_TENANT");
    }
  }

  /**
   * Every query parameter's documented constraints are the server's: integers at their minimum and
   * maximum are accepted and one past them refused, every enum value is accepted and another
   * refused, and a uuid, date-time, pattern or maxLength violation is refused (400).
   */
  @Test
  void everyQueryParameterHonoursItsDocumentedSchema() {
    int checked = 0;
    for (Operation op : operations()) {
      JsonNode doc =
          DOC.at("/paths/" + op.template().replace("/", "~1") + "/" + op.method().toLowerCase());
      List<JsonNode> params = new ArrayList<>();
      doc.path("parameters").forEach(p -> params.add(resolve(p)));
      Map<String, String> required = new TreeMap<>();
      for (JsonNode p : params) {
        if (p.path("in").asText().equals("query") && p.path("required").asBoolean())
          required.put(p.get("name").asText(), p.get("example").asText());
      }
      // why: this list takes exactly one of session_id and correlation_id
      if (op.template().equals("/v1/resume-handles"))
        required.put("session_id", UUID.randomUUID().toString());
      for (JsonNode p : params) {
        if (!p.path("in").asText().equals("query")) continue;
        String name = p.get("name").asText();
        JsonNode schema = resolve(p.get("schema"));
        Map<String, String> base = new TreeMap<>(required);
        if (name.equals("correlation_id")) base.remove("session_id");
        List<String> good = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        if (schema.path("type").asText().equals("integer")) {
          if (schema.has("minimum")) {
            good.add(schema.get("minimum").asText());
            bad.add(Long.toString(schema.get("minimum").asLong() - 1));
          }
          if (schema.has("maximum")) {
            good.add(schema.get("maximum").asText());
            bad.add(Long.toString(schema.get("maximum").asLong() + 1));
          }
          bad.add("seven");
        }
        schema.path("enum").forEach(v -> good.add(v.asText()));
        if (schema.has("enum")) bad.add("no-such-value");
        String format = schema.path("format").asText();
        if (format.equals("uuid")) bad.add("not-a-uuid");
        if (format.equals("date-time")) bad.add("yesterday");
        if (schema.has("pattern")) {
          assertThat("-bad!".matches(schema.get("pattern").asText())).isFalse();
          bad.add("-bad!");
        }
        if (schema.has("maxLength")) bad.add("x".repeat(schema.get("maxLength").asInt() + 1));
        for (String v : good) {
          queryCall(op, base, name, v).expectNot400();
          checked++;
        }
        for (String v : bad) {
          queryCall(op, base, name, v).invalidRequest().expect(400);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(60);
  }

  /**
   * The server takes every request body example of the document (with the path parameters'
   * examples): no 400, whatever the store's state makes of it (404 for a job that does not exist is
   * fine). A document example the server refuses would send tools and clients astray.
   */
  @Test
  void everyRequestBodyExampleIsAccepted() {
    int sent = 0;
    for (Operation op : operations()) {
      JsonNode body =
          DOC.at(
              "/paths/"
                  + op.template().replace("/", "~1")
                  + "/"
                  + op.method().toLowerCase()
                  + "/requestBody/content/application~1json");
      if (body.isMissingNode()) continue;
      for (JsonNode example : body.path("examples")) {
        String json = Json.write(resolve(example).get("value"));
        call(op.method(), op.template(), op.examplePathValues())
            .tenant(unique("t"))
            .body(json)
            .expectNot400();
        sent++;
      }
    }
    assertThat(sent).isGreaterThanOrEqualTo(30);
  }

  /**
   * Every request body's documented constraints are the server's: the document's example with one
   * top-level field broken (wrong type, past a bound, outside the enum, not a uuid or date-time,
   * against the pattern, missing while required, or an unknown field where none is allowed) is
   * refused with 400. Where the path names a thing the example does not create, 404 may come first.
   */
  @Test
  void everyRequestBodyFieldHonoursItsDocumentedSchema() {
    int sent = 0;
    List<String> accepted = new ArrayList<>();
    // why: the session example names this flow; with it registered the flow lookup cannot answer
    // first
    String tenant = unique("t");
    JsonNode flow = DOC.at("/components/examples/NewFlow/value");
    call("POST", "/v1/flows").tenant(tenant).body(Json.write(flow)).expect(201);
    for (Operation op : operations()) {
      JsonNode media =
          DOC.at(
              "/paths/"
                  + op.template().replace("/", "~1")
                  + "/"
                  + op.method().toLowerCase()
                  + "/requestBody/content/application~1json");
      if (media.isMissingNode()) continue;
      JsonNode schema = resolve(media.get("schema"));
      ObjectNode example =
          (ObjectNode) resolve(media.get("examples").elements().next()).get("value");
      if (schema.has("oneOf")) {
        // the enqueue body: one job (the first example) or a batch
        schema = resolve(schema.get("oneOf").get(0));
      }
      boolean may404 = op.template().contains("{") && op.documented().contains("404");
      List<ObjectNode> broken = new ArrayList<>();
      if (schema.path("additionalProperties").isBoolean()
          && !schema.get("additionalProperties").asBoolean()) {
        broken.add(example.deepCopy().put("no_such_field", 1));
      }
      for (JsonNode required : schema.path("required")) {
        ObjectNode b = example.deepCopy();
        b.remove(required.asText());
        broken.add(b);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        JsonNode ps = resolve(p.getValue());
        for (JsonNode bad : badValues(ps)) broken.add(example.deepCopy().set(p.getKey(), bad));
      }
      for (ObjectNode b : broken) {
        Http.Response r =
            call(op.method(), op.template(), op.examplePathValues())
                .tenant(tenant)
                .body(Json.write(b))
                .invalidRequest()
                .anyStatus();
        if (may404 && r.status() == 404) continue;
        if (r.status() != 400)
          accepted.add(
              op.method()
                  + " "
                  + op.template()
                  + " "
                  + shorten(Json.write(b))
                  + " -> "
                  + r.status());
        sent++;
      }
    }
    assertThat(accepted).as("broken bodies the server did not refuse").isEmpty();
    assertThat(sent).isGreaterThan(100);
  }

  /** Values {@code schema} refuses, one per constraint it states. */
  private static List<JsonNode> badValues(JsonNode schema) {
    List<JsonNode> bad = new ArrayList<>();
    if (schema.has("oneOf") || schema.has("anyOf")) return bad;
    var f = Json.MAPPER.getNodeFactory();
    String type = schema.path("type").asText();
    switch (type) {
      case "string" -> bad.add(f.numberNode(7));
      case "integer", "number", "boolean" -> bad.add(f.textNode("seven"));
      case "object" -> bad.add(f.textNode("not an object"));
      case "array" -> bad.add(f.textNode("not an array"));
      default -> {}
    }
    if (type.equals("integer") && schema.has("minimum"))
      bad.add(f.numberNode(schema.get("minimum").asLong() - 1));
    if (type.equals("integer") && schema.has("maximum"))
      bad.add(f.numberNode(schema.get("maximum").asLong() + 1));
    if (type.equals("number") && schema.has("minimum"))
      bad.add(f.numberNode(schema.get("minimum").decimalValue().subtract(BigDecimal.ONE)));
    if (type.equals("number") && schema.has("maximum"))
      bad.add(f.numberNode(schema.get("maximum").decimalValue().add(new BigDecimal("0.5"))));
    if (schema.has("enum")) bad.add(f.textNode("no-such-value"));
    if (schema.has("maxLength"))
      bad.add(f.textNode("x".repeat(schema.get("maxLength").asInt() + 1)));
    if (schema.path("minLength").asInt() > 0) bad.add(f.textNode(""));
    if (schema.path("minItems").asInt() > 0) bad.add(f.arrayNode());
    if (schema.has("pattern")) {
      Pattern pattern = Pattern.compile(schema.get("pattern").asText());
      Stream.of("-bad!", " ", "\u0001", "")
          .filter(v -> !pattern.matcher(v).find())
          .findFirst()
          .ifPresent(v -> bad.add(f.textNode(v)));
    }
    String format = schema.path("format").asText();
    if (format.equals("uuid")) bad.add(f.textNode("not-a-uuid"));
    if (format.equals("date-time")) bad.add(f.textNode("yesterday"));
    return bad;
  }

  /**
   * Every path parameter's documented constraints are the server's: a value that is not a uuid,
   * breaks the pattern, is below the minimum or is not an integer is refused with 400 (before
   * anything is looked up), on every operation.
   */
  @Test
  void everyPathParameterHonoursItsDocumentedSchema() {
    int sent = 0;
    List<String> accepted = new ArrayList<>();
    for (Operation op : operations()) {
      JsonNode pathItem = DOC.at("/paths/" + op.template().replace("/", "~1"));
      List<JsonNode> params = new ArrayList<>();
      pathItem.path("parameters").forEach(p -> params.add(resolve(p)));
      List<String> names = new ArrayList<>();
      Matcher m = TEMPLATE_VAR.matcher(op.template());
      while (m.find()) names.add(m.group(1));
      for (JsonNode p : params) {
        if (!p.path("in").asText().equals("path")) continue;
        JsonNode schema = resolve(p.get("schema"));
        List<String> bad = new ArrayList<>();
        if (schema.path("format").asText().equals("uuid")) bad.add("not-a-uuid");
        if (schema.has("pattern")) bad.add("-bad!");
        if (schema.path("type").asText().equals("integer")) {
          bad.add("seven");
          if (schema.has("minimum")) bad.add(Long.toString(schema.get("minimum").asLong() - 1));
        }
        int at = names.indexOf(p.get("name").asText());
        for (String v : bad) {
          Object[] values = op.examplePathValues().clone();
          values[at] = v;
          Http.Response r =
              call(op.method(), op.template(), values)
                  .tenant(unique("t"))
                  .body(op.hasBody() ? "{}" : null)
                  .invalidRequest()
                  .anyStatus();
          if (r.status() != 400)
            accepted.add(
                op.method()
                    + " "
                    + op.template()
                    + " "
                    + p.get("name")
                    + "="
                    + v
                    + " -> "
                    + r.status());
          sent++;
        }
      }
    }
    assertThat(accepted).as("path values the server did not refuse").isEmpty();
    assertThat(sent).isGreaterThanOrEqualTo(49);
  }

  private Call queryCall(Operation op, Map<String, String> base, String name, String value) {
    Map<String, String> q = new TreeMap<>(base);
    q.put(name, value);
    StringBuilder query = new StringBuilder();
    q.forEach(
        (k, v) ->
            query
                .append(query.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return call(op.method(), op.template(), op.examplePathValues())
        .tenant(unique("t"))
        .query(query.toString());
  }

  private static JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) node = DOC.at(node.get("$ref").asText().substring(1));
    return node;
  }

  /** A body that is not JSON is 400 INVALID_JSON on every operation that takes one. */
  @Test
  void everyOperationWithABodyRefusesMalformedJson() {
    for (Operation op : operations()) {
      if (!op.hasBody()) continue;
      call(op.method(), op.template(), op.examplePathValues())
          .tenant(unique("t"))
          .body("{\"unterminated\": ")
          .invalidRequest()
          .expect(400, "INVALID_JSON");
    }
  }

  /**
   * A body over the largest route cap is 413 PAYLOAD_TOO_LARGE on every operation that takes one.
   */
  @Test
  void everyOperationWithABodyRefusesAnOversizeBody() {
    String huge = "{\"x\":\"" + "a".repeat(16 * MAX_PAYLOAD + 64 * 1024) + "\"}";
    for (Operation op : operations()) {
      if (!op.hasBody()) continue;
      call(op.method(), op.template(), op.examplePathValues())
          .tenant(unique("t"))
          .body(huge)
          .invalidRequest()
          .expect(413, "PAYLOAD_TOO_LARGE");
    }
  }

  /**
   * Once an API key exists, every /v1 operation without one is 401 (this locks the server's dev
   * mode, so it runs after the other tests).
   */
  @Test
  @Order(Integer.MAX_VALUE - 1)
  void everyV1OperationNeedsAKeyOnceKeysExist() {
    String key = flowstore.apiKeys().create(TenantId.of(unique("k")), "openapi test").secret();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> http.get("/v1/events").status() == 401);
    for (Operation op : operations()) {
      if (!op.template().startsWith("/v1/")) continue;
      call(op.method(), op.template(), op.examplePathValues())
          .body(op.hasBody() ? "{}" : null)
          .invalidRequest()
          .expect(401, "UNAUTHENTICATED");
      call(op.method(), op.template(), op.examplePathValues())
          .header("Authorization", "Bearer not-a-key")
          .invalidRequest()
          .expect(401, "UNAUTHENTICATED");
    }
    call("GET", "/v1/events").header("Authorization", "Bearer " + key).expect(200);
  }

  /** Every documented operation answered a 2xx and, under /v1, a 4xx in the tests above. */
  @Test
  @Order(Integer.MAX_VALUE)
  void everyOperationWasExercised() {
    List<String> missing = new ArrayList<>();
    StringBuilder table = new StringBuilder("operation -> statuses seen / documented\n");
    for (Operation op : operations()) {
      String key = op.method() + " " + op.template();
      Set<Integer> statuses = seen.getOrDefault(key, Set.of());
      if (statuses.stream().noneMatch(s -> s >= 200 && s < 300)) missing.add(key + ": no 2xx");
      if (op.template().startsWith("/v1/") && statuses.stream().noneMatch(s -> s >= 400 && s < 500))
        missing.add(key + ": no 4xx");
      table.append(key).append(" -> ").append(statuses).append(" / ").append(op.documented());
      table.append('\n');
    }
    System.out.println(table);
    assertThat(missing).isEmpty();
    assertThat(operations()).hasSize(76);
  }

  // ---------------------------------------------------------------- machinery

  /** A request to {@code template} with {@code pathValues} in its {@code {...}} places. */
  Call call(String method, String template, Object... pathValues) {
    return new Call(method, template, pathValues);
  }

  /** JSON written with single quotes, for readability. */
  static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  final class Call {
    private final String method;
    private final String template;
    private final String path;
    private final List<String> headers = new ArrayList<>();
    private String query;
    private String body;
    private boolean validRequest = true;

    Call(String method, String template, Object[] values) {
      this.method = method;
      this.template = template;
      Matcher m = TEMPLATE_VAR.matcher(template);
      StringBuilder sb = new StringBuilder();
      int i = 0;
      while (m.find()) {
        String v = String.valueOf(values[i++]);
        m.appendReplacement(
            sb,
            Matcher.quoteReplacement(
                URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
      }
      m.appendTail(sb);
      assertThat(i).as("path values for " + template).isEqualTo(values.length);
      this.path = sb.toString();
    }

    Call tenant(String tenant) {
      return header("X-Tenant-Id", tenant);
    }

    Call header(String name, String value) {
      headers.add(name);
      headers.add(value);
      return this;
    }

    Call query(String query) {
      this.query = query;
      return this;
    }

    Call body(String body) {
      this.body = body;
      return this;
    }

    /** The request breaks the document on purpose: only the answer is checked. */
    Call invalidRequest() {
      this.validRequest = false;
      return this;
    }

    Http.Response expect(int status) {
      return expect(status, null);
    }

    Http.Response expect(int status, String code) {
      Http.Response r = send();
      assertThat(r.status()).as(what(r)).isEqualTo(status);
      if (code != null) assertThat(r.code()).as(what(r)).isEqualTo(code);
      return check(r);
    }

    /** Any answer but a 400 (the request is valid; it may name something that does not exist). */
    Http.Response expectNot400() {
      Http.Response r = send();
      assertThat(r.status()).as(what(r)).isNotEqualTo(400);
      return check(r);
    }

    /** Whatever the status, as long as the document allows the answer. */
    Http.Response anyStatus() {
      return check(send());
    }

    private Http.Response send() {
      Http.Response r = http.send(method, target(), body, headers.toArray(String[]::new));
      seen.computeIfAbsent(method + " " + template, k -> new TreeSet<>()).add(r.status());
      return r;
    }

    private String target() {
      return path + (query == null ? "" : "?" + query);
    }

    private String what(Http.Response r) {
      return method + " " + target() + " -> " + r.status() + " " + shorten(r.text());
    }

    private Http.Response check(Http.Response r) {
      String what = what(r);
      assertThat(r.traceId()).as("X-Trace-Id on " + what).isNotBlank();
      List<String> problems = new ArrayList<>();
      if (validRequest) {
        for (String p : messages("request", VALIDATOR.validateRequest(request()))) {
          // why: the validator wants a Content-Type even when an optional body is left out
          if (body == null && p.contains("validation.request.contentType.notAllowed")) continue;
          problems.add(p);
        }
      }
      problems.addAll(
          messages(
              "response",
              VALIDATOR.validateResponse(path, Request.Method.valueOf(method), response(r))));
      assertThat(problems).as("the document disagrees with " + what).isEmpty();
      return r;
    }

    private SimpleRequest request() {
      SimpleRequest.Builder b = new SimpleRequest.Builder(method, path);
      for (int i = 0; i < headers.size(); i += 2) b.withHeader(headers.get(i), headers.get(i + 1));
      if (body != null) b.withContentType("application/json").withBody(body);
      if (query != null) {
        for (String pair : query.split("&")) {
          int eq = pair.indexOf('=');
          b.withQueryParam(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      return b.build();
    }
  }

  private static SimpleResponse response(Http.Response r) {
    SimpleResponse.Builder b = SimpleResponse.Builder.status(r.status());
    r.headers().map().forEach(b::withHeader);
    if (!r.text().isEmpty()) b.withBody(r.text());
    return b.build();
  }

  private static List<String> messages(String side, ValidationReport report) {
    List<String> out = new ArrayList<>();
    for (ValidationReport.Message m : report.getMessages()) {
      if (m.getLevel() != ValidationReport.Level.ERROR) continue;
      out.add(side + " " + m.getKey() + ": " + m.getMessage() + " " + m.getAdditionalInfo());
      for (ValidationReport.Message n : m.getNestedMessages())
        out.add("  " + n.getKey() + ": " + n.getMessage());
    }
    return out;
  }

  private static String shorten(String s) {
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  /** A documented operation. */
  record Operation(
      String method,
      String template,
      boolean hasBody,
      Object[] examplePathValues,
      Set<String> documented) {}

  static List<Operation> operations() {
    List<Operation> ops = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = DOC.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> it = path.getValue().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!METHODS.contains(e.getKey())) continue;
        JsonNode op = e.getValue();
        List<Object> values = new ArrayList<>();
        Matcher m = TEMPLATE_VAR.matcher(path.getKey());
        while (m.find()) values.add(pathExample(path.getValue(), op, m.group(1), path.getKey()));
        Set<String> documented = new TreeSet<>();
        op.get("responses").fieldNames().forEachRemaining(documented::add);
        ops.add(
            new Operation(
                e.getKey().toUpperCase(),
                path.getKey(),
                op.has("requestBody"),
                values.toArray(),
                documented));
      }
    }
    return ops;
  }

  private static Object pathExample(JsonNode pathItem, JsonNode op, String name, String where) {
    List<JsonNode> params = new ArrayList<>();
    pathItem.path("parameters").forEach(params::add);
    op.path("parameters").forEach(params::add);
    for (JsonNode p : params) {
      JsonNode resolved = p.has("$ref") ? DOC.at(p.get("$ref").asText().substring(1)) : p;
      if (resolved.path("in").asText().equals("path")
          && resolved.path("name").asText().equals(name)) {
        assertThat(resolved.has("example"))
            .as("example of path parameter " + name + " of " + where)
            .isTrue();
        return resolved.get("example").asText();
      }
    }
    throw new AssertionError("path parameter " + name + " of " + where + " is not documented");
  }

  private static JsonNode document() {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocument.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
