package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The operations of flowstore's openapi.yaml, read with jackson-dataformat-yaml, and valid-looking
 * values generated from their schemas: the baseline scenario 8 mutates.
 */
final class S8Operations {
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** A parameter of an operation. */
  record Param(String name, String in, boolean required, JsonNode schema) {}

  /** One operation: a method on a path template. */
  record Operation(
      String method,
      String path,
      String id,
      List<Param> params,
      JsonNode bodySchema,
      boolean bodyRequired) {
    List<Param> in(String where) {
      return params.stream().filter(p -> p.in().equals(where)).toList();
    }
  }

  /**
   * Operations left out: an operator's switch of the whole server, not a client's request. A valid
   * {@code PUT /admin/maintenance} freezes every write (503 MAINTENANCE, as designed), which would
   * turn the rest of the run into 5xx answers. The e2e and conformance suites drive it.
   */
  static final java.util.Set<String> OPERATORS_ONLY = java.util.Set.of("put /admin/maintenance");

  private final JsonNode spec;
  final List<Operation> operations = new ArrayList<>();

  private S8Operations(JsonNode spec) {
    this.spec = spec;
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      List<Param> shared = params(p.getValue().path("parameters"));
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        JsonNode op = p.getValue().get(method);
        if (op == null || OPERATORS_ONLY.contains(method + " " + p.getKey())) continue;
        List<Param> all = new ArrayList<>(shared);
        all.addAll(params(op.path("parameters")));
        JsonNode body = resolve(op.path("requestBody"));
        JsonNode schema = body.path("content").path("application/json").get("schema");
        operations.add(
            new Operation(
                method.toUpperCase(java.util.Locale.ROOT),
                p.getKey(),
                op.path("operationId").asText(method + " " + p.getKey()),
                all,
                schema == null ? null : resolve(schema),
                body.path("required").asBoolean(false)));
      }
    }
  }

  /** Reads the openapi.yaml the server ships (a resource of flowstore-server). */
  static S8Operations load() throws IOException {
    try (InputStream in =
        S8Operations.class.getResourceAsStream("/dev/flowstore/server/openapi.yaml")) {
      if (in == null)
        throw new IOException("openapi.yaml is not on the classpath (flowstore-server)");
      return new S8Operations(new ObjectMapper(new YAMLFactory()).readTree(in));
    }
  }

  private List<Param> params(JsonNode list) {
    List<Param> out = new ArrayList<>();
    for (JsonNode raw : list) {
      JsonNode p = resolve(raw);
      out.add(
          new Param(
              p.path("name").asText(),
              p.path("in").asText(),
              p.path("required").asBoolean(false),
              resolve(p.path("schema"))));
    }
    return out;
  }

  /** Follows a local {@code $ref} (repeatedly). */
  JsonNode resolve(JsonNode node) {
    while (node != null && node.has("$ref")) {
      String ref = node.get("$ref").asText();
      if (!ref.startsWith("#/")) return node;
      JsonNode target = spec;
      for (String part : ref.substring(2).split("/"))
        target = target.path(part.replace("~1", "/").replace("~0", "~"));
      node = target;
    }
    return node;
  }

  /** The schema's type (the first that is not null when it lists several), or null. */
  String type(JsonNode schema) {
    schema = resolve(schema);
    JsonNode t = schema.get("type");
    if (t == null) {
      if (schema.has("properties")) return "object";
      if (schema.has("oneOf") || schema.has("anyOf")) return type(first(schema));
      if (schema.has("allOf")) return "object";
      return null;
    }
    if (t.isArray()) {
      for (JsonNode x : t) if (!x.asText().equals("null")) return x.asText();
      return "null";
    }
    return t.asText();
  }

  private JsonNode first(JsonNode schema) {
    JsonNode options = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
    return resolve(options.get(0));
  }

  /** Properties of an object schema (allOf merged). */
  ObjectNode properties(JsonNode schema) {
    schema = resolve(schema);
    ObjectNode out = F.objectNode();
    if (schema.has("allOf")) for (JsonNode part : schema.get("allOf")) out.setAll(properties(part));
    if (schema.has("properties")) out.setAll((ObjectNode) schema.get("properties"));
    return out;
  }

  List<String> required(JsonNode schema) {
    schema = resolve(schema);
    List<String> out = new ArrayList<>();
    if (schema.has("allOf")) for (JsonNode part : schema.get("allOf")) out.addAll(required(part));
    for (JsonNode r : schema.path("required")) out.add(r.asText());
    return out;
  }

  /**
   * A valid-looking value of {@code schema}: required properties always, optional ones at random.
   */
  JsonNode example(JsonNode schema, Random rnd, int depth) {
    schema = resolve(schema);
    if (schema == null || schema.isMissingNode()) return F.textNode("x");
    if (schema.has("enum")) {
      JsonNode e = schema.get("enum");
      return e.get(rnd.nextInt(e.size())).deepCopy();
    }
    if ((schema.has("oneOf") || schema.has("anyOf")) && !schema.has("type")) {
      JsonNode options = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
      return example(options.get(rnd.nextInt(options.size())), rnd, depth);
    }
    String type = type(schema);
    if (type == null) type = "object";
    switch (type) {
      case "object" -> {
        ObjectNode o = F.objectNode();
        ObjectNode props = properties(schema);
        List<String> required = required(schema);
        if (props.isEmpty() && depth < 3) {
          o.put("k", "v" + rnd.nextInt(100));
          o.put("n", rnd.nextInt(1000));
          return o;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> p = it.next();
          if (required.contains(p.getKey()) || (depth < 3 && rnd.nextInt(3) == 0))
            o.set(p.getKey(), example(p.getValue(), rnd, depth + 1));
        }
        return o;
      }
      case "array" -> {
        ArrayNode a = F.arrayNode();
        int n = Math.max(schema.path("minItems").asInt(1), 1 + rnd.nextInt(2));
        for (int i = 0; i < n && depth < 4; i++)
          a.add(example(schema.path("items"), rnd, depth + 1));
        return a;
      }
      case "integer" -> {
        long min = schema.has("minimum") ? schema.get("minimum").asLong() : 0;
        long max = schema.has("maximum") ? schema.get("maximum").asLong() : min + 10;
        return F.numberNode(min + (max > min ? rnd.nextLong(Math.min(max - min, 10) + 1) : 0));
      }
      case "number" -> {
        return F.numberNode(rnd.nextInt(100) / 10.0);
      }
      case "boolean" -> {
        return F.booleanNode(rnd.nextBoolean());
      }
      case "null" -> {
        return F.nullNode();
      }
      default -> {
        return F.textNode(string(schema, rnd));
      }
    }
  }

  /** A string that fits the schema's format, pattern and length, as far as a fuzzer cares. */
  String string(JsonNode schema, Random rnd) {
    schema = resolve(schema);
    String format = schema.path("format").asText("");
    switch (format) {
      case "uuid" -> {
        return UUID.randomUUID().toString();
      }
      case "date-time" -> {
        return Instant.now().toString();
      }
      default -> {}
    }
    if (schema.path("contentEncoding").asText("").equals("base64")) return "aGVsbG8gZnV6eg==";
    if (schema.has("default") && rnd.nextBoolean()) return schema.get("default").asText();
    int min = schema.path("minLength").asInt(1);
    String pattern = schema.path("pattern").asText("");
    StringBuilder b =
        new StringBuilder(pattern.contains("a-z") && !pattern.contains("A-Z") ? "fz" : "Fz");
    while (b.length() < Math.max(min, 3 + rnd.nextInt(6))) b.append((char) ('a' + rnd.nextInt(26)));
    return b.toString();
  }
}
