package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  static ObjectNode record(StoredRecord r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("collection", r.collection());
    o.put("id", r.id());
    o.set("data", r.data());
    o.put("version", r.version());
    o.put("parent_id", r.parentId());
    o.put("archived", r.archived());
    o.put("archived_at", r.archivedAt() == null ? null : r.archivedAt().toString());
    o.put("created_at", r.createdAt().toString());
    o.put("updated_at", r.updatedAt().toString());
    return o;
  }
}
