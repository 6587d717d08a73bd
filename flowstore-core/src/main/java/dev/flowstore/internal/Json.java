package dev.flowstore.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.util.Iterator;
import java.util.Map;

/**
 * The one JSON configuration flowstore uses everywhere: strict (duplicate keys and trailing tokens
 * are errors), exact (decimals are kept as BigDecimal, so numbers round-trip), and no U+0000
 * anywhere.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
  }

  private Json() {}

  /** Parses JSON text, failing with {@code INVALID_JSON} naming {@code what}. */
  public static JsonNode parse(String what, String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode())
        throw new FlowstoreException(ErrorCode.INVALID_JSON, what + ": empty body, expected JSON");
      rejectNul(what, node);
      return node;
    } catch (JsonProcessingException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_JSON, what + ": malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** Parses JSON bytes, failing with {@code INVALID_JSON} naming {@code what}. */
  public static JsonNode parse(String what, byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode())
        throw new FlowstoreException(ErrorCode.INVALID_JSON, what + ": empty body, expected JSON");
      rejectNul(what, node);
      return node;
    } catch (java.io.IOException e) {
      String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new FlowstoreException(ErrorCode.INVALID_JSON, what + ": malformed JSON: " + msg);
    }
  }

  // why: stored JSON was checked (duplicates, NUL, depth) when it was written, and PostgreSQL's
  // jsonb has no duplicate keys anyway; reading it back skips those checks and builds the tree
  // straight from the token stream (the read path's biggest cost; databind's readTree sets up a
  // deserialization context per call)
  private static final JsonFactory STORED =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  /**
   * Parses a JSON object flowstore stored itself (checked when written), without re-checking it,
   * into the same tree {@link #parseObject} gives (ints as int/long/big-integer nodes, decimals as
   * exact BigDecimal nodes); anything else is {@code INTERNAL}: the stored data is not what
   * flowstore wrote.
   */
  public static ObjectNode stored(String what, String text) {
    try (JsonParser p = STORED.createParser(text)) {
      if (p.nextToken() == JsonToken.START_OBJECT) return storedObject(p);
    } catch (java.io.IOException e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, what + ": stored JSON is malformed: " + e.getMessage(), e);
    }
    throw new FlowstoreException(ErrorCode.INTERNAL, what + ": stored JSON is not an object");
  }

  /**
   * {@link #stored(String, String)} of the text's UTF-8 bytes (SQLite hands a TEXT column's bytes
   * over as they are stored, without making a String of them first).
   */
  public static ObjectNode stored(String what, byte[] utf8) {
    try (JsonParser p = STORED.createParser(utf8)) {
      if (p.nextToken() == JsonToken.START_OBJECT) return storedObject(p);
    } catch (java.io.IOException e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, what + ": stored JSON is malformed: " + e.getMessage(), e);
    }
    throw new FlowstoreException(ErrorCode.INTERNAL, what + ": stored JSON is not an object");
  }

  private static ObjectNode storedObject(JsonParser p) throws java.io.IOException {
    ObjectNode o = MAPPER.getNodeFactory().objectNode();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName())
      o.replace(name, storedValue(p, p.nextToken()));
    return o;
  }

  private static JsonNode storedValue(JsonParser p, JsonToken t) throws java.io.IOException {
    JsonNodeFactory nodes = MAPPER.getNodeFactory();
    return switch (t) {
      case START_OBJECT -> storedObject(p);
      case START_ARRAY -> {
        com.fasterxml.jackson.databind.node.ArrayNode a = nodes.arrayNode();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken())
          a.add(storedValue(p, e));
        yield a;
      }
      case VALUE_STRING -> nodes.textNode(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> nodes.numberNode(p.getIntValue());
            case LONG -> nodes.numberNode(p.getLongValue());
            default -> nodes.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> nodes.numberNode(p.getDecimalValue());
      case VALUE_TRUE -> nodes.booleanNode(true);
      case VALUE_FALSE -> nodes.booleanNode(false);
      case VALUE_NULL -> nodes.nullNode();
      default -> throw new java.io.IOException("unexpected token " + t);
    };
  }

  /** Parses JSON text that must be an object. */
  public static ObjectNode parseObject(String what, String text) {
    return object(what, parse(what, text));
  }

  /** Checks that a node is a JSON object. */
  public static ObjectNode object(String what, JsonNode node) {
    if (node instanceof ObjectNode o) return o;
    throw new FlowstoreException(
        ErrorCode.INVALID_JSON,
        what
            + ": expected a JSON object, got "
            + (node == null
                ? "nothing"
                : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
  }

  /** Serializes compactly. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, "cannot serialize JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Fails with {@code INVALID_JSON} if any key or string value in {@code node} contains U+0000. */
  public static void rejectNul(String what, JsonNode node) {
    if (node.isTextual()) {
      if (node.textValue().indexOf('\u0000') >= 0) throw nul(what);
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().indexOf('\u0000') >= 0) throw nul(what);
        rejectNul(what, e.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) rejectNul(what, child);
    }
  }

  private static FlowstoreException nul(String what) {
    return new FlowstoreException(
        ErrorCode.INVALID_JSON,
        what
            + ": contains \\u0000, which flowstore does not store (PostgreSQL jsonb cannot hold it)");
  }

  /**
   * A canonical text of {@code node}: object keys sorted, numbers in plain form without trailing
   * zeros, no whitespace. Two documents that PostgreSQL's jsonb would store alike get the same
   * text, so a hash over it survives a round trip through the database.
   */
  public static String canonical(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    canonical(node, sb);
    return sb.toString();
  }

  private static void canonical(JsonNode node, StringBuilder sb) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      sb.append("null");
    } else if (node.isObject()) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      java.util.Collections.sort(keys);
      sb.append('{');
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append(write(keys.get(i))).append(':');
        canonical(node.get(keys.get(i)), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) sb.append(',');
        canonical(node.get(i), sb);
      }
      sb.append(']');
    } else if (node.isNumber()) {
      java.math.BigDecimal d = node.decimalValue();
      sb.append(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
    } else {
      sb.append(write(node));
    }
  }
}
