package dev.flowstore.redis.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.Json;

/**
 * The cached form of a record: one JSON object, times as ISO-8601 (exact to the nanosecond), the
 * data nested as it is; private to the cache, as {@link SessionCodec} (same reasons: not the HTTP
 * form, changes only with {@code FORMAT}).
 */
final class RecordCodec {
  // why: bump when the layout changes; entries of another format are misses, not errors
  private static final int FORMAT = 1;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RecordCodec() {}

  static String encode(StoredRecord r) {
    ObjectNode o = JSON.objectNode();
    o.put("fmt", FORMAT);
    o.put("collection", r.collection());
    o.put("id", r.id());
    // why raw: a record read from SQL holds its data as the JSON text read; no tree to build
    o.putRawValue("data", new RawValue(r.dataJson()));
    o.put("version", r.version());
    o.put("parent_id", r.parentId());
    o.put("archived_at", SessionCodec.time(r.archivedAt()));
    o.put("created_at", SessionCodec.time(r.createdAt()));
    o.put("updated_at", SessionCodec.time(r.updatedAt()));
    return Json.write(o);
  }

  /**
   * The record, or null when {@code text} is not a cache entry of this format for exactly this
   * collection and id (any id when {@code id} is null: an entry by unique value, whose holder the
   * caller checks); a foreign or corrupt entry is a miss, the reload overwrites it.
   */
  static StoredRecord decode(String text, String collection, String id) {
    try {
      ObjectNode o = Json.parseObject("cached record", text);
      if (o.path("fmt").asInt() != FORMAT
          || !collection.equals(o.get("collection").asText())
          || (id != null && !id.equals(o.get("id").asText()))) return null;
      return new StoredRecord(
          collection,
          o.get("id").asText(),
          Json.object("data", o.get("data")),
          o.get("version").longValue(),
          o.get("parent_id").isNull() ? null : o.get("parent_id").asText(),
          SessionCodec.instant(o, "archived_at"),
          SessionCodec.instant(o, "created_at"),
          SessionCodec.instant(o, "updated_at"));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
