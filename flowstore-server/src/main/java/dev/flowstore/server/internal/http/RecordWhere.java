package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.Collection;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.RecordFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A records query's condition as the API's {@code where} parameter writes it, read with the field's
 * declared type: the records endpoints and the dashboard's records page read it the same way.
 */
public final class RecordWhere {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RecordWhere() {}

  /**
   * One condition of the {@code where} parameter ({@code ;} between conditions), {@code
   * <field>:<op>:<value>} ({@code /status:in:open,pending}): the value read as the field's declared
   * type; IN takes comma-separated values.
   */
  public static RecordFilter filter(String where, Optional<Collection> declared) {
    int first = where.indexOf(':');
    int second = first < 0 ? -1 : where.indexOf(':', first + 1);
    if (second < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "where must be <field>:<op>:<value> such as /status:eq:open, got '"
              + QueryParams.shorten(where)
              + "'");
    String pointer = where.substring(0, first);
    String opName = where.substring(first + 1, second).toUpperCase(Locale.ROOT);
    String raw = where.substring(second + 1);
    RecordFilter.Op op;
    try {
      op = RecordFilter.Op.valueOf(opName);
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "where: unknown op '"
              + QueryParams.shorten(opName.toLowerCase(Locale.ROOT))
              + "': use eq, in, gt, gte, lt, lte or prefix");
    }
    IndexedField field =
        declared
            .flatMap(
                c ->
                    c.spec().indexed().stream()
                        .filter(f -> f.pointer().equals(pointer))
                        .findFirst())
            .orElse(null);
    List<String> texts = op == RecordFilter.Op.IN ? List.of(raw.split(",", -1)) : List.of(raw);
    List<JsonNode> values = new ArrayList<>();
    for (String t : texts) values.add(value(pointer, field, t));
    return new RecordFilter(pointer, op, values);
  }

  private static JsonNode value(String pointer, IndexedField field, String text) {
    if (field == null) return NODES.textNode(text);
    switch (field.type()) {
      case NUMBER -> {
        try {
          return NODES.numberNode(new BigDecimal(text));
        } catch (NumberFormatException e) {
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              "where on " + pointer + ": '" + QueryParams.shorten(text) + "' is not a number");
        }
      }
      case BOOLEAN -> {
        if (!text.equals("true") && !text.equals("false"))
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT, "where on " + pointer + ": use true or false");
        return NODES.booleanNode(text.equals("true"));
      }
      default -> {
        return NODES.textNode(text);
      }
    }
  }
}
