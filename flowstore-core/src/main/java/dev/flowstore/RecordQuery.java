package dev.flowstore;

import java.util.ArrayList;
import java.util.List;

/**
 * A query over one collection of a tenant's records; every shape is served by an index.
 *
 * @param filters conditions on indexed fields, all of which must hold (a record whose field is null
 *     or missing matches none)
 * @param sortBy {@code created_at} (the default), {@code updated_at}, or the pointer of an indexed
 *     field (nulls first ascending, last descending); ties are broken by id
 * @param parentId only the children of this parent record (null: any)
 * @param includeArchived whether archived records are included (default false)
 * @param limit 1..1000
 * @param cursor the previous page's {@link RecordPage#nextCursor()}, or null
 * @param offset rows to skip (for callers that page by number); not with a cursor
 * @param search words to find in the collection's full-text fields (all of them must occur; no
 *     operators: quotes, {@code *}, {@code -}, {@code OR}, {@code NEAR} are words or nothing), or
 *     null; results are then ordered by relevance unless {@link #sortBy} is called
 */
public record RecordQuery(
    String collection,
    List<RecordFilter> filters,
    String sortBy,
    boolean descending,
    String parentId,
    boolean includeArchived,
    int limit,
    String cursor,
    int offset,
    String search) {
  public static final String CREATED_AT = "created_at";
  public static final String UPDATED_AT = "updated_at";

  /** The most characters of a search term. */
  public static final int MAX_SEARCH = 500;

  /** The sort of a search when no other is given: best match first, ties by id. */
  public static final String RELEVANCE = "relevance";

  public RecordQuery {
    filters = filters == null ? List.of() : List.copyOf(filters);
    if (sortBy == null) sortBy = search == null ? CREATED_AT : RELEVANCE;
  }

  /** A query without a full-text search. */
  public RecordQuery(
      String collection,
      List<RecordFilter> filters,
      String sortBy,
      boolean descending,
      String parentId,
      boolean includeArchived,
      int limit,
      String cursor,
      int offset) {
    this(
        collection,
        filters,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        null);
  }

  /** All records of a collection, oldest first, 100 a page. */
  public static RecordQuery of(String collection) {
    return new RecordQuery(
        collection, List.of(), CREATED_AT, false, null, false, 100, null, 0, null);
  }

  public RecordQuery where(RecordFilter filter) {
    List<RecordFilter> more = new ArrayList<>(filters);
    more.add(filter);
    return new RecordQuery(
        collection,
        more,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  public RecordQuery sortBy(String field, boolean descending) {
    return new RecordQuery(
        collection,
        filters,
        field,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  public RecordQuery childrenOf(String parentId) {
    return new RecordQuery(
        collection,
        filters,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  public RecordQuery includeArchived(boolean include) {
    return new RecordQuery(
        collection, filters, sortBy, descending, parentId, include, limit, cursor, offset, search);
  }

  public RecordQuery limit(int limit) {
    return new RecordQuery(
        collection,
        filters,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  public RecordQuery after(String cursor) {
    return new RecordQuery(
        collection,
        filters,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  public RecordQuery offset(int offset) {
    return new RecordQuery(
        collection,
        filters,
        sortBy,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        search);
  }

  /**
   * Finds records whose full-text fields hold every word of {@code terms}, best match first (unless
   * {@link #sortBy} follows or came before with another sort than created_at).
   */
  public RecordQuery search(String terms) {
    String sort = sortBy.equals(CREATED_AT) && !descending ? RELEVANCE : sortBy;
    return new RecordQuery(
        collection,
        filters,
        sort,
        descending,
        parentId,
        includeArchived,
        limit,
        cursor,
        offset,
        terms);
  }
}
