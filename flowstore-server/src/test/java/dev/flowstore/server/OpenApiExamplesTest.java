package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import dev.flowstore.server.internal.http.OpenApiDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every parameter, request body, response body and response header of openapi.yaml has an example,
 * and every example is valid against its own schema (JSON Schema 2020-12 with the OpenAPI 3.1
 * dialect, formats asserted), so contract-testing tools that send or expect the examples
 * (Schemathesis, Prism, Dredd) work from the document alone. Failures name the example's path.
 */
class OpenApiExamplesTest {
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          Dialects.getOpenApi31(),
          b ->
              b.schemaRegistryConfig(
                  SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  @Test
  void everyExampleIsPresentAndValidAgainstItsSchema() throws IOException {
    JsonNode doc = read();
    List<String> problems = problems(doc);
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  @Test
  void everyNamedExampleIsUsed() throws IOException {
    JsonNode doc = read();
    Set<String> refs = new TreeSet<>();
    collectRefs(doc, refs);
    List<String> unused = new ArrayList<>();
    doc.path("components")
        .path("examples")
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (!refs.contains("#/components/examples/" + n)) unused.add(n);
            });
    assertThat(unused).isEmpty();
  }

  /** The walk finds what it is for: a wrong example and a missing one, by path. */
  @Test
  void aBadOrMissingExampleIsReportedWithItsPath() throws IOException {
    JsonNode doc = read();
    ((ObjectNode) doc.at("/components/examples/Task/value")).put("progress", "half");
    ((ObjectNode) doc.at("/components/examples/Session/value")).put("session_id", "not-a-uuid");
    ((ObjectNode) doc.at("/components/parameters/Limit")).put("example", 0);
    ((ObjectNode) doc.at("/components/parameters/JobId")).remove("example");
    ObjectNode media =
        (ObjectNode) doc.at("/paths/~1v1~1flows/post/requestBody/content/application~1json");
    media.remove("examples");
    List<String> problems = problems(doc);
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("paths./v1/tasks/{task_id}.get.responses.200")
                    && p.contains("progress"))
        .anyMatch(p -> p.contains("responses.200") && p.contains("session_id"))
        .anyMatch(p -> p.contains("parameters[limit]") && p.contains("minimum"))
        .anyMatch(p -> p.contains("parameters[job_id]") && p.contains("no example"))
        .anyMatch(
            p -> p.startsWith("paths./v1/flows.post.requestBody") && p.contains("no example"));
  }

  static List<String> problems(JsonNode doc) {
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      String at = "paths." + path.getKey();
      List<JsonNode> shared = new ArrayList<>();
      path.getValue().path("parameters").forEach(shared::add);
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> e = ops.next();
        if (!METHODS.contains(e.getKey())) continue;
        String opAt = at + "." + e.getKey();
        JsonNode op = e.getValue();
        List<JsonNode> params = new ArrayList<>(shared);
        op.path("parameters").forEach(params::add);
        for (JsonNode p : params) {
          JsonNode param = resolve(doc, p);
          String pAt = opAt + ".parameters[" + param.path("name").asText() + "]";
          checkExamples(doc, pAt, param, param.get("schema"), problems);
        }
        if (op.has("requestBody")) {
          JsonNode body = resolve(doc, op.get("requestBody"));
          content(doc, opAt + ".requestBody", body, problems);
        }
        for (Iterator<Map.Entry<String, JsonNode>> rs = op.path("responses").fields();
            rs.hasNext(); ) {
          Map.Entry<String, JsonNode> r = rs.next();
          JsonNode response = resolve(doc, r.getValue());
          String rAt = opAt + ".responses." + r.getKey();
          content(doc, rAt, response, problems);
          for (Iterator<Map.Entry<String, JsonNode>> hs = response.path("headers").fields();
              hs.hasNext(); ) {
            Map.Entry<String, JsonNode> h = hs.next();
            JsonNode header = resolve(doc, h.getValue());
            checkExamples(
                doc, rAt + ".headers." + h.getKey(), header, header.get("schema"), problems);
          }
        }
      }
    }
    return problems;
  }

  private static void content(JsonNode doc, String at, JsonNode holder, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = holder.path("content").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> media = it.next();
      checkExamples(
          doc,
          at + ".content." + media.getKey(),
          media.getValue(),
          media.getValue().get("schema"),
          problems);
    }
  }

  /** {@code holder}'s {@code example} or each of its {@code examples}, against {@code schema}. */
  private static void checkExamples(
      JsonNode doc, String at, JsonNode holder, JsonNode schema, List<String> problems) {
    if (schema == null) {
      problems.add(at + ": no schema");
      return;
    }
    List<Map.Entry<String, JsonNode>> values = new ArrayList<>();
    if (holder.has("example")) values.add(Map.entry("example", holder.get("example")));
    for (Iterator<Map.Entry<String, JsonNode>> it = holder.path("examples").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode example = resolve(doc, e.getValue());
      if (!example.has("value")) {
        problems.add(at + ".examples." + e.getKey() + ": no value");
        continue;
      }
      values.add(Map.entry("examples." + e.getKey(), example.get("value")));
    }
    if (values.isEmpty()) {
      problems.add(at + ": no example");
      return;
    }
    Schema compiled = compile(doc, schema);
    for (Map.Entry<String, JsonNode> v : values) {
      for (Error error : compiled.validate(v.getValue())) {
        problems.add(
            at + "." + v.getKey() + " " + error.getInstanceLocation() + ": " + error.getMessage());
      }
    }
  }

  /**
   * The schema with the document's {@code components} beside it, so its {@code
   * #/components/schemas/...} references resolve as they do in the document.
   */
  private static Schema compile(JsonNode doc, JsonNode schema) {
    ObjectNode root = schema.deepCopy();
    root.set("components", doc.get("components"));
    return REGISTRY.getSchema(SchemaLocation.DOCUMENT, root);
  }

  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    while (node.has("$ref")) {
      String ref = node.get("$ref").asText();
      JsonNode target = doc.at(ref.substring(1));
      if (target.isMissingNode()) throw new AssertionError("unresolved " + ref);
      node = target;
    }
    return node;
  }

  private static void collectRefs(JsonNode node, Set<String> refs) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("$ref")) refs.add(e.getValue().asText());
                else collectRefs(e.getValue(), refs);
              });
    } else if (node.isArray()) {
      node.forEach(child -> collectRefs(child, refs));
    }
  }

  private static JsonNode read() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocument.bytes());
  }
}
