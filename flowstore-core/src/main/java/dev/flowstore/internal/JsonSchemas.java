package dev.flowstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
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
    validate(what + " do not match", "the flow's param_schema", schema, document);
  }

  /**
   * Fails with INVALID_ARGUMENT ({@code "<failed> <schemaName>: /pointer: reason; ..."}, each
   * failing field as a JSON pointer) unless {@code document} satisfies {@code schema}.
   */
  public static void validate(
      String failed, String schemaName, ObjectNode schema, JsonNode document) {
    List<Error> errors = compile(schemaName, schema).validate(document);
    if (!errors.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, failed + " " + schemaName + ": " + describe(errors));
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

  /**
   * The failing field as a JSON pointer (RFC 6901); for a missing required property, the property
   * itself rather than the object that lacks it.
   */
  private static String pointer(Error e) {
    NodePath at = e.getInstanceLocation();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; at != null && i < at.getNameCount(); i++)
      sb.append('/').append(token(at.getElement(i)));
    if ("required".equals(e.getKeyword()) && e.getProperty() != null)
      sb.append('/').append(token(e.getProperty()));
    return sb.isEmpty() ? "/" : sb.toString();
  }

  private static String token(Object element) {
    return String.valueOf(element).replace("~", "~0").replace("/", "~1");
  }

  private static String describe(List<Error> errors) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < errors.size() && i < 20; i++) {
      Error e = errors.get(i);
      if (i > 0) sb.append("; ");
      sb.append(pointer(e)).append(": ").append(e.getMessage());
    }
    if (errors.size() > 20) sb.append("; ... ").append(errors.size() - 20).append(" more");
    return sb.toString();
  }
}
