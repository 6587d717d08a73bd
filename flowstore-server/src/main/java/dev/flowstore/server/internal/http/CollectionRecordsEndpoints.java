package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/collections/{collection}/records}: create, query, get (or as of a version), replace,
 * merge-patch, archive / unarchive, delete, history, children; and {@code
 * /v1/collections/{collection}/unique}, the record holding a unique value. Changes carry the
 * request's trace id and actor ({@link Actors}) into their event's metadata.
 */
final class CollectionRecordsEndpoints {
  private static final Set<String> CREATE = Set.of("id", "data", "parent_id");
  private static final Set<String> REPLACE = Set.of("expected_version", "data");
  private static final Set<String> PATCH = Set.of("expected_version", "patch");
  private static final Set<String> ARCHIVE = Set.of("expected_version", "archived");

  private final Flowstore flowstore;
  private final RequestScope scope;

  CollectionRecordsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  /**
   * The tenant's records, attributed to the request's actor and trace id. why flowstore.records:
   * with the Redis record cache on it is the cached store, so get and getByUnique read through it
   */
  private Records records(Context ctx) {
    String actor = Actors.of(ctx, scope);
    return flowstore.records(scope.tenant(ctx)).attributedTo(actor, TraceIds.of(ctx));
  }

  private long bodyLimit() {
    return 4L * flowstore.config().maxPayloadBytes() + 64 * 1024;
  }

  private static String collection(Context ctx) {
    return ctx.pathParam("collection");
  }

  private static String id(Context ctx) {
    return ctx.pathParam("record_id");
  }

  void create(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), CREATE);
    StoredRecord r =
        records(ctx)
            .create(
                collection(ctx),
                new NewRecord(b.string("id"), b.object("data"), b.string("parent_id")));
    Responses.json(ctx, 201, CollectionJson.response(r));
  }

  void get(Context ctx) {
    long asOf = QueryParams.longParam(ctx, "as_of_version", -1, 0, Long.MAX_VALUE);
    Records records = records(ctx);
    StoredRecord r =
        asOf >= 0
            ? records.getAsOf(collection(ctx), id(ctx), asOf)
            : records
                .get(collection(ctx), id(ctx))
                .orElseThrow(() -> CollectionRules.recordNotFound(collection(ctx), id(ctx)));
    Responses.json(ctx, 200, CollectionJson.response(r));
  }

  /**
   * {@code ?field=<pointer>&value=<value>}: the record, archived or not, holding the value in that
   * unique field; the value is read as the field's declared type. Query parameters, not path
   * segments: a pointer holds slashes, and a value may hold any character.
   */
  void byUnique(Context ctx) {
    String field = QueryParams.string(ctx, "field");
    if (field == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "field is required: the JSON pointer of a unique field, such as /username");
    String raw = ctx.queryParam("value");
    if (raw == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "value is required: the unique value to look up");
    Records records = records(ctx);
    String collection = collection(ctx);
    var value = RecordWhere.typed("value of " + field, field, declared(collection), raw);
    StoredRecord r =
        records
            .getByUnique(collection, field, value)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND,
                        "no record of collection '"
                            + collection
                            + "' holds "
                            + field
                            + " = '"
                            + QueryParams.shorten(raw)
                            + "'"));
    Responses.json(ctx, 200, CollectionJson.response(r));
  }

  void replace(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), REPLACE);
    StoredRecord r =
        records(ctx)
            .replace(
                collection(ctx), id(ctx), b.requiredLong("expected_version"), b.object("data"));
    Responses.json(ctx, 200, CollectionJson.response(r));
  }

  void patch(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), PATCH);
    StoredRecord r =
        records(ctx)
            .patch(collection(ctx), id(ctx), b.requiredLong("expected_version"), b.object("patch"));
    Responses.json(ctx, 200, CollectionJson.response(r));
  }

  void archive(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), ARCHIVE);
    long expected = b.requiredLong("expected_version");
    Boolean archived = b.bool("archived");
    Records records = records(ctx);
    StoredRecord r =
        archived == null || archived
            ? records.archive(collection(ctx), id(ctx), expected)
            : records.unarchive(collection(ctx), id(ctx), expected);
    Responses.json(ctx, 200, CollectionJson.response(r));
  }

  void delete(Context ctx) {
    Records records = records(ctx);
    long expected = QueryParams.longParam(ctx, "expected_version", -1, 0, Long.MAX_VALUE);
    if (expected < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "expected_version is required: the version you read");
    records.delete(collection(ctx), id(ctx), expected);
    ctx.status(204);
  }

  void history(Context ctx) {
    long from = QueryParams.longParam(ctx, "from_version", 0, 0, Long.MAX_VALUE);
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    var events = records(ctx).history(collection(ctx), id(ctx), from, limit);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("events", EventJson.array(events));
    if (events.size() < limit) body.putNull("next_from_version");
    else body.put("next_from_version", events.get(events.size() - 1).version() + 1);
    Responses.json(ctx, 200, body);
  }

  void query(Context ctx) {
    Records records = records(ctx);
    page(ctx, records, query(ctx, collection(ctx), QueryParams.string(ctx, "parent_id")));
  }

  /** The records of {@code ?collection=} whose parent is this record. */
  void children(Context ctx) {
    String child = QueryParams.string(ctx, "collection");
    if (child == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "collection is required: the child collection whose records to list");
    CollectionRules.name("collection", child);
    Records records = records(ctx);
    // why: the query's parameters first, so a bad one is 400 whether or not the parent exists
    RecordQuery q = query(ctx, child, id(ctx));
    if (records.get(collection(ctx), id(ctx)).isEmpty())
      throw CollectionRules.recordNotFound(collection(ctx), id(ctx));
    page(ctx, records, q);
  }

  /** The query of a page's parameters, each checked. */
  private RecordQuery query(Context ctx, String collection, String parentId) {
    Optional<Collection> declared = declared(collection);
    List<RecordFilter> filters = new ArrayList<>();
    String where = QueryParams.string(ctx, "where");
    if (where != null)
      for (String w : where.split(";")) filters.add(RecordWhere.filter(w, declared));
    String order = QueryParams.string(ctx, "order");
    if (order != null && !order.equals("asc") && !order.equals("desc"))
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "order must be asc or desc, got '" + QueryParams.shorten(order) + "'");
    RecordQuery q =
        new RecordQuery(
            collection,
            filters,
            QueryParams.string(ctx, "sort_by"),
            "desc".equals(order),
            parentId,
            bool(ctx, "include_archived"),
            QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000),
            QueryParams.string(ctx, "cursor"),
            QueryParams.intParam(ctx, "offset", 0, 0, 10_000),
            search(ctx));
    bool(ctx, "with_count");
    return q;
  }

  /** {@code ?q=}, its length checked here so that it is 400 before any lookup. */
  private static String search(Context ctx) {
    String q = QueryParams.string(ctx, "q");
    if (q != null && q.length() > MAX_SEARCH)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "q: at most " + MAX_SEARCH + " characters, got " + q.length());
    return q;
  }

  private static final int MAX_SEARCH = RecordQuery.MAX_SEARCH;

  private static void page(Context ctx, Records records, RecordQuery q) {
    RecordPage page = records.query(q);
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("records");
    page.records().forEach(r -> items.add(CollectionJson.response(r)));
    body.put("next_cursor", page.nextCursor());
    if (bool(ctx, "with_count")) body.put("count", records.count(q));
    Responses.json(ctx, 200, body);
  }

  private Optional<Collection> declared(String collection) {
    try {
      return flowstore.collections().get(collection);
    } catch (FlowstoreException e) {
      // why: the query reports a bad name with the records' own message
      return Optional.empty();
    }
  }

  private static boolean bool(Context ctx, String name) {
    String raw = QueryParams.string(ctx, name);
    if (raw == null || raw.equals("false")) return false;
    if (raw.equals("true")) return true;
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        name + " must be true or false, got '" + QueryParams.shorten(raw) + "'");
  }
}
