package dev.flowstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (draft 2020-12 unless a schema names its own {@code $schema}): checks that a schema
 * is one, and validates documents against it with the failing paths in the error.
 */
public final class JsonSchemas {
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> COMPILED = new ConcurrentHashMap<>();
  private static final int MAX_CACHED = 1000;

  private JsonSchemas() {}

  /** Fails with INVALID_ARGUMENT unless {@code schema} is a valid JSON Schema object. */
  public static void checkSchema(String what, ObjectNode schema) {
    String dialect =
        schema.path("$schema").asText(SpecificationVersion.DRAFT_2020_12.getDialectId());
    Schema meta;
    try {
      meta = REGISTRY.getSchema(SchemaLocation.of(dialect));
    } catch (RuntimeException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, what + ": unknown $schema '" + dialect + "'");
    }
    List<Error> errors = meta.validate(schema);
    if (!errors.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, what + " is not a valid JSON Schema: " + describe(errors));
    compile(what, schema);
  }

  /**
   * Fails with INVALID_ARGUMENT, listing each failing path, unless {@code document} satisfies
   * {@code schema}.
   */
  public static void validate(String what, ObjectNode schema, JsonNode document) {
    List<Error> errors = compile(what, schema).validate(document);
    if (!errors.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          what + " do not match the flow's param_schema: " + describe(errors));
  }

  private static Schema compile(String what, ObjectNode schema) {
    String key = Json.write(schema);
    Schema s = COMPILED.get(key);
    if (s != null) return s;
    try {
      s = REGISTRY.getSchema(SchemaLocation.DOCUMENT, schema);
    } catch (RuntimeException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, what + " is not a usable JSON Schema: " + e.getMessage());
    }
    if (COMPILED.size() >= MAX_CACHED) COMPILED.clear();
    COMPILED.put(key, s);
    return s;
  }

  private static String describe(List<Error> errors) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < errors.size() && i < 20; i++) {
      Error e = errors.get(i);
      if (i > 0) sb.append("; ");
      sb.append(e.getInstanceLocation()).append(": ").append(e.getMessage());
    }
    if (errors.size() > 20) sb.append("; ... ").append(errors.size() - 20).append(" more");
    return sb.toString();
  }
}
