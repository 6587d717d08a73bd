package dev.flowstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A record's data changes: JSON merge patch (RFC 7396), and the change an event records ({@code
 * {"set": {field: value}, "removed": [field]}} over top-level fields) and its replay.
 */
public final class RecordChanges {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RecordChanges() {}

  /** {@code target} patched by {@code patch} (RFC 7396), as a new object. */
  public static ObjectNode mergePatch(ObjectNode target, ObjectNode patch) {
    ObjectNode out = target.deepCopy();
    apply(out, patch);
    return out;
  }

  private static void apply(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNull()) target.remove(e.getKey());
      else if (v.isObject()) {
        JsonNode cur = target.get(e.getKey());
        ObjectNode child = cur != null && cur.isObject() ? (ObjectNode) cur : JSON.objectNode();
        apply(child, (ObjectNode) v);
        target.set(e.getKey(), child);
      } else target.set(e.getKey(), v.deepCopy());
    }
  }

  /**
   * What changed from {@code before} to {@code after}, by top-level field: {@code set} (new or
   * changed values) and {@code removed} (field names). Exact, unlike a merge patch: a value set to
   * JSON null is kept as one.
   */
  public static ObjectNode diff(ObjectNode before, ObjectNode after) {
    ObjectNode out = JSON.objectNode();
    ObjectNode set = out.putObject("set");
    ArrayNode removed = out.putArray("removed");
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().equals(before.get(e.getKey()))) set.set(e.getKey(), e.getValue());
    }
    for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!after.has(f)) removed.add(f);
    }
    return out;
  }

  /** Applies a {@link #diff} to {@code data}, in place. */
  public static ObjectNode replay(ObjectNode data, JsonNode diff) {
    for (JsonNode f : diff.path("removed")) data.remove(f.asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = diff.path("set").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      data.set(e.getKey(), e.getValue());
    }
    return data;
  }
}
