package dev.flowstore.server.internal.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.server.internal.http.RecordWhere;
import dev.flowstore.server.internal.http.WireJson;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Records, read only: the declared collections, a collection's records of the viewer's tenant
 * (newest first, by the API's cursor, one indexed field filter), and a record with its history, its
 * parent and children, and the record as it was at a version. Nothing here changes a record.
 */
final class RecordPages {
  private static final int PAGE = QueuePages.PAGE;
  private static final int HISTORY_MAX = 1000;

  private final Flowstore flowstore;
  private final Views views;

  RecordPages(Flowstore flowstore, Views views) {
    this.flowstore = flowstore;
    this.views = views;
  }

  void collections(Context ctx, Viewer viewer) {
    Records records = flowstore.records(viewer.tenant());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Collection c : flowstore.collections().list()) {
      Map<String, Object> row = described(c);
      row.put("count", records.count(RecordQuery.of(c.name())));
      rows.add(row);
    }
    views.render(ctx, 200, viewer, "collections", null, new Views.Model().put("collections", rows));
  }

  void records(Context ctx, Viewer viewer) {
    Collection collection = declared(ctx.pathParam("collection"));
    String field = QueuePages.blankToNull(ctx.queryParam("field"));
    String value = QueuePages.blankToNull(ctx.queryParam("value"));
    String parent = QueuePages.blankToNull(ctx.queryParam("parent_id"));
    String cursor = QueuePages.blankToNull(ctx.queryParam("cursor"));
    RecordQuery q =
        RecordQuery.of(collection.name())
            .sortBy(RecordQuery.CREATED_AT, true)
            .includeArchived(true)
            .limit(PAGE)
            .after(cursor);
    if (parent != null) q = q.childrenOf(parent);
    if (field != null && value != null)
      q = q.where(RecordWhere.filter(field + ":eq:" + value, Optional.of(collection)));
    RecordPage page = flowstore.records(viewer.tenant()).query(q);
    views.render(
        ctx,
        200,
        viewer,
        "records",
        null,
        new Views.Model()
            .put("collection", described(collection))
            .put("fields", collection.spec().indexed().stream().map(IndexedField::pointer).toList())
            .put("field", field == null ? "" : field)
            .put("value", value == null ? "" : value)
            .put("parent", parent == null ? "" : parent)
            .put("records", Views.maps(page.records(), WireJson::record))
            .put("next", page.nextCursor()));
  }

  void record(Context ctx, Viewer viewer) {
    Collection collection = declared(ctx.pathParam("collection"));
    String name = collection.name();
    String id = ctx.pathParam("record_id");
    Records records = flowstore.records(viewer.tenant());
    StoredRecord record =
        records.get(name, id).orElseThrow(() -> CollectionRules.recordNotFound(name, id));
    long asOf = Params.longParam(ctx, "as_of_version", -1);
    List<Map<String, Object>> history = new ArrayList<>();
    for (RecordedEvent e : records.history(name, id, 0, HISTORY_MAX)) history.add(change(e));
    List<Map<String, Object>> children = new ArrayList<>();
    for (Collection c : flowstore.collections().list()) {
      if (!name.equals(c.spec().parent())) continue;
      RecordPage kids = records.query(RecordQuery.of(c.name()).childrenOf(id).limit(PAGE));
      for (StoredRecord k : kids.records())
        children.add(Map.of("collection", c.name(), "id", k.id()));
      if (kids.nextCursor() != null)
        children.add(Map.of("collection", c.name(), "id", "", "more", true));
    }
    views.render(
        ctx,
        200,
        viewer,
        "record",
        null,
        new Views.Model()
            .put("collection", described(collection))
            .put("record", Views.map(WireJson.record(record)))
            .put("data", Views.pretty(record.data()))
            .put("history", history)
            .put("children", children)
            .put("asOf", asOf < 0 ? null : asOf)
            .put(
                "asOfData",
                asOf < 0 ? null : Views.pretty(records.getAsOf(name, id, asOf).data())));
  }

  private Collection declared(String name) {
    return flowstore
        .collections()
        .get(name)
        .orElseThrow(
            () ->
                new FlowstoreException(
                    ErrorCode.NOT_FOUND,
                    "collection '" + name + "' is not declared: see /ui/records"));
  }

  /** A collection's declaration as the pages show it. */
  private static Map<String, Object> described(Collection c) {
    Map<String, Object> m = new HashMap<>();
    m.put("name", c.name());
    m.put(
        "indexed",
        String.join(
            ", ",
            c.spec().indexed().stream()
                .map(f -> f.pointer() + " " + f.type().name().toLowerCase(Locale.ROOT))
                .toList()));
    m.put("unique", String.join(", ", c.spec().unique()));
    m.put("parent", c.spec().parent());
    m.put("ready", c.ready());
    return m;
  }

  /**
   * One change of a record's history: which top-level fields it set or removed, each changed
   * indexed field's before and after, and who made it (trace id, actor) from the event's metadata.
   */
  private static Map<String, Object> change(RecordedEvent e) {
    ObjectNode p = e.payload();
    List<String> fields = new ArrayList<>();
    JsonNode data = p.path("data");
    JsonNode set = p.path("set");
    if (data.isObject()) data.fieldNames().forEachRemaining(fields::add);
    if (set.isObject()) set.fieldNames().forEachRemaining(fields::add);
    p.path("removed").forEach(r -> fields.add(r.asText() + " (removed)"));
    List<String> indexed = new ArrayList<>();
    p.path("indexed")
        .fields()
        .forEachRemaining(
            f ->
                indexed.add(
                    f.getKey()
                        + ": "
                        + shown(f.getValue().path("before"))
                        + " -> "
                        + shown(f.getValue().path("after"))));
    Map<String, Object> m = new HashMap<>();
    m.put("version", e.version());
    m.put("type", e.type());
    m.put("at", e.createdAt().toString());
    m.put("fields", String.join(", ", fields));
    m.put("indexed", indexed);
    m.put("trace", meta(e, "trace_id"));
    m.put("actor", meta(e, "actor"));
    m.put("json", Views.pretty(WireJson.event(e)));
    return m;
  }

  private static String shown(JsonNode v) {
    return v.isMissingNode() || v.isNull() ? "null" : v.isTextual() ? v.asText() : v.toString();
  }

  private static String meta(RecordedEvent e, String field) {
    JsonNode v = e.metadata() == null ? null : e.metadata().get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
