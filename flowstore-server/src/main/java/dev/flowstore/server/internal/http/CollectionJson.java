package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowstore.Collection;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;

/** The wire form of collections and their records: snake_case, times as ISO-8601. */
final class CollectionJson {
  private CollectionJson() {}

  static ObjectNode collection(Collection c) {
    ObjectNode o = CollectionRules.toJson(c.spec());
    o.put("version", c.version());
    o.set("ready_fields", CollectionRules.fields(c.readyFields()));
    o.put("ready", c.ready());
    o.put("full_text_ready", c.fullTextReady());
    o.put("created_at", c.createdAt().toString());
    o.put("updated_at", c.updatedAt().toString());
    return o;
  }

  /** A record, its data a JSON tree (for the dashboard's views, which read it). */
  static ObjectNode record(StoredRecord r) {
    return record(r, false);
  }

  /**
   * A record as a response writes it: its data the JSON text the store read, written as it is
   * ({@link StoredRecord#dataJson}), not parsed into a tree to be written again.
   */
  static ObjectNode response(StoredRecord r) {
    return record(r, true);
  }

  private static ObjectNode record(StoredRecord r, boolean raw) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("collection", r.collection());
    o.put("id", r.id());
    if (raw) o.putRawValue("data", new RawValue(r.dataJson()));
    else o.set("data", r.data());
    o.put("version", r.version());
    o.put("parent_id", r.parentId());
    o.put("archived", r.archived());
    o.put("archived_at", r.archivedAt() == null ? null : r.archivedAt().toString());
    o.put("created_at", r.createdAt().toString());
    o.put("updated_at", r.updatedAt().toString());
    return o;
  }
}
