package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.internal.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/**
 * Typed access to the fields of a JSON request object. Unknown fields are refused by name (a
 * misspelt field must not silently fall back to a default); a field of the wrong type is
 * INVALID_ARGUMENT.
 */
final class BodyFields {
  private final String at;
  private final ObjectNode node;

  private BodyFields(String at, ObjectNode node) {
    this.at = at;
    this.node = node;
  }

  /** {@code body} as an object whose field names are all in {@code known}. */
  static BodyFields of(String at, JsonNode body, Set<String> known) {
    ObjectNode o = Json.object(at, body);
    onlyKnown(at, o, known);
    return new BodyFields(at, o);
  }

  static void onlyKnown(String at, ObjectNode o, Set<String> known) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw invalid(
            at
                + ": unknown field '"
                + QueryParams.shorten(name)
                + (known.isEmpty()
                    ? "' (this request takes no fields)"
                    : "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")"));
      }
    }
  }

  private JsonNode get(String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  String string(String field) {
    JsonNode v = get(field);
    if (v == null) return null;
    if (!v.isTextual()) throw invalid(at + "." + field + ": must be a string");
    return v.textValue();
  }

  String requiredString(String field) {
    String v = string(field);
    if (v == null) throw invalid(at + "." + field + ": required");
    return v;
  }

  Integer integer(String field) {
    JsonNode v = get(field);
    if (v == null) return null;
    if (!v.isIntegralNumber() || !v.canConvertToInt())
      throw invalid(at + "." + field + ": must be an integer");
    return v.intValue();
  }

  /** An integer field within {@code min..max}, or null when absent. */
  Integer integer(String field, int min, int max) {
    Integer v = integer(field);
    if (v != null && (v < min || v > max))
      throw invalid(at + "." + field + ": must be between " + min + " and " + max + ", got " + v);
    return v;
  }

  /** A boolean field, or null when absent. */
  Boolean bool(String field) {
    JsonNode v = get(field);
    if (v == null) return null;
    if (!v.isBoolean()) throw invalid(at + "." + field + ": must be true or false");
    return v.booleanValue();
  }

  Long requiredLong(String field) {
    JsonNode v = get(field);
    if (v == null) throw invalid(at + "." + field + ": required");
    if (!v.isIntegralNumber() || !v.canConvertToLong())
      throw invalid(at + "." + field + ": must be an integer");
    return v.longValue();
  }

  /** An object field, or null when absent. */
  ObjectNode object(String field) {
    JsonNode v = get(field);
    return v == null ? null : Json.object(at + "." + field, v);
  }

  /** An object field, or an empty object when absent. */
  ObjectNode objectOrEmpty(String field) {
    ObjectNode v = object(field);
    return v == null ? Json.MAPPER.createObjectNode() : v;
  }

  UUID uuid(String field) {
    JsonNode v = get(field);
    if (v == null) return null;
    if (!v.isTextual())
      throw new FlowstoreException(
          ErrorCode.INVALID_ID, at + "." + field + " must be a UUID string");
    return Ids.uuid(at + "." + field, v.textValue());
  }

  /** A number field as an exact decimal, or null when absent. */
  BigDecimal decimal(String field) {
    JsonNode v = get(field);
    if (v == null) return null;
    if (!v.isNumber()) throw invalid(at + "." + field + ": must be a number");
    return v.decimalValue();
  }

  /** An ISO-8601 instant ({@code 2030-01-01T00:00:00Z}), or null when absent. */
  Instant instant(String field) {
    String v = string(field);
    if (v == null) return null;
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw invalid(
          at
              + "."
              + field
              + ": must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, got '"
              + QueryParams.shorten(v)
              + "'");
    }
  }

  /** A base64 (RFC 4648, standard alphabet) string field as bytes, or null when absent. */
  byte[] base64(String field) {
    String v = string(field);
    if (v == null) return null;
    try {
      return Base64.getDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      throw invalid(at + "." + field + ": must be base64 (standard alphabet, padded)");
    }
  }

  static FlowstoreException invalid(String message) {
    return new FlowstoreException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
