package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flowstore.server.internal.http.OpenApiDocument;
import dev.flowstore.server.internal.http.Route;
import dev.flowstore.server.internal.http.Routes;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** openapi.yaml is the contract: its operations are exactly the routes the server registers. */
class OpenApiSyncTest {
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsServed() throws IOException {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocument.bytes());
    assertThat(doc.get("openapi").asText()).startsWith("3.1");
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              m -> {
                if (METHODS.contains(m)) documented.add(m.toUpperCase() + " " + path.getKey());
              });
    }
    Set<String> served = new TreeSet<>();
    for (Route r : Routes.table(null, null, null)) served.add(r.signature());
    assertThat(documented).isEqualTo(served);
  }

  /**
   * Every code the server can answer is in the document's enum (CONFIGURATION is answered as
   * INTERNAL).
   */
  @Test
  void theErrorCodeEnumIsEveryCodeTheServerAnswers() throws IOException {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocument.bytes());
    Set<String> documented = new java.util.TreeSet<>();
    doc.at("/components/schemas/Error/properties/error/properties/code/enum")
        .forEach(v -> documented.add(v.asText()));
    Set<String> answered = new java.util.TreeSet<>();
    for (dev.flowstore.ErrorCode c : dev.flowstore.ErrorCode.values())
      if (c != dev.flowstore.ErrorCode.CONFIGURATION) answered.add(c.name());
    assertThat(documented).isEqualTo(answered);
  }

  @Test
  void everyReferenceResolves() throws IOException {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocument.bytes());
    Set<String> refs = new TreeSet<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }

  /** swagger-parser (what the conformance test's validator reads it with) reports no problem. */
  @Test
  void theDocumentParsesWithoutMessages() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result =
        new OpenAPIV3Parser()
            .readContents(
                new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8), null, options);
    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
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
}
