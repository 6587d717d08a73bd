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
    IndexedField field = field(pointer, declared);
    List<String> texts = op == RecordFilter.Op.IN ? List.of(raw.split(",", -1)) : List.of(raw);
    List<JsonNode> values = new ArrayList<>();
    for (String t : texts) values.add(value("where on " + pointer, field, t));
    return new RecordFilter(pointer, op, values);
  }

  /**
   * A value given as query text, read as the declared type of the indexed field {@code pointer} (a
   * number, true/false, else the text: a timestamp stays text for the engine to check); the text
   * itself when the field is not indexed, for the engine to refuse with its own message.
   *
   * @param what names the parameter in an error ({@code value of /age: 'x' is not a number})
   */
  public static JsonNode typed(
      String what, String pointer, Optional<Collection> declared, String text) {
    return value(what, field(pointer, declared), text);
  }

  private static IndexedField field(String pointer, Optional<Collection> declared) {
    return declared
        .flatMap(
            c -> c.spec().indexed().stream().filter(f -> f.pointer().equals(pointer)).findFirst())
        .orElse(null);
  }

  private static JsonNode value(String what, IndexedField field, String text) {
    if (field == null) return NODES.textNode(text);
    switch (field.type()) {
      case NUMBER -> {
        try {
          return NODES.numberNode(new BigDecimal(text));
        } catch (NumberFormatException e) {
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              what + ": '" + QueryParams.shorten(text) + "' is not a number");
        }
      }
      case BOOLEAN -> {
        if (!text.equals("true") && !text.equals("false"))
          throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + ": use true or false");
        return NODES.booleanNode(text.equals("true"));
      }
      default -> {
        return NODES.textNode(text);
      }
    }
  }
}
