package dev.flowstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;

/**
 * A condition on an indexed field of a query ({@link RecordQuery}). Values are JSON values of the
 * field's type (a timestamp as its ISO-8601 text).
 */
public record RecordFilter(String pointer, Op op, List<JsonNode> values) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a filter compares. */
  public enum Op {
    EQ,
    IN,
    GT,
    GTE,
    LT,
    LTE,
    /** The string field starts with the value (strings only). */
    PREFIX
  }

  public RecordFilter {
    values = List.copyOf(values);
  }

  public static RecordFilter eq(String pointer, Object value) {
    return of(pointer, Op.EQ, value);
  }

  public static RecordFilter in(String pointer, Object... values) {
    return of(pointer, Op.IN, values);
  }

  public static RecordFilter gt(String pointer, Object value) {
    return of(pointer, Op.GT, value);
  }

  public static RecordFilter gte(String pointer, Object value) {
    return of(pointer, Op.GTE, value);
  }

  public static RecordFilter lt(String pointer, Object value) {
    return of(pointer, Op.LT, value);
  }

  public static RecordFilter lte(String pointer, Object value) {
    return of(pointer, Op.LTE, value);
  }

  public static RecordFilter prefix(String pointer, String value) {
    return of(pointer, Op.PREFIX, value);
  }

  /** A filter from plain values (strings, numbers, booleans, instants or JSON nodes). */
  public static RecordFilter of(String pointer, Op op, Object... values) {
    return new RecordFilter(
        pointer,
        op,
        Arrays.stream(values)
            .map(v -> v instanceof JsonNode n ? n : JSON.valueToTree(v == null ? null : plain(v)))
            .map(n -> (JsonNode) n)
            .toList());
  }

  private static Object plain(Object v) {
    return v instanceof java.time.Instant t ? t.toString() : v;
  }
}
