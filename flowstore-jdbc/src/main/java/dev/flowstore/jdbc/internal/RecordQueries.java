package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.IndexKeys;
import dev.flowstore.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Queries over one tenant's records of one collection, each an index range scan of {@code records}:
 * sorted by created_at / updated_at, {@code records_created_ix} / {@code records_updated_ix}, or,
 * with an equality filter, that field's {@code rx_<h>_c} / {@code _u} expression index (the value,
 * then the order); sorted by an indexed field, its {@code rx_<h>_v} ({@link RecordIndexes}). Every
 * filter is a condition on its field's key in the row ({@link RecordIndex#keyExpr}). Pages are
 * keyset pages (the cursor is the last row's sort key and id), or offset pages for callers that ask
 * for them.
 */
final class RecordQueries {
  /** The largest offset: an offset page reads every row it skips; use the cursor beyond it. */
  static final int MAX_OFFSET = 10_000;

  /** The most values of one IN filter. */
  static final int MAX_IN = 100;

  /**
   * The columns a page reads, in {@link #row}'s order: not the collection (the query's) and, unless
   * archived records are asked for, not archived_at (null in every row). why fewer columns: each is
   * a driver call per row; at a page of 50 the two took as long as the rest of the mapping.
   */
  private static String columns(RecordQuery q) {
    return "r.record_id, r.data, r.version, r.parent_id, r.created_at, r.updated_at"
        + (q.includeArchived() ? ", r.archived_at" : "");
  }

  private final Scope scope;
  private final Dialect dialect;

  RecordQueries(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private record Row(StoredRecord record, String sortKey) {}

  /** A query's position: the sort key and id of the last row of a page. */
  record Cursor(String sortBy, boolean descending, String key, String id) {
    String encode() {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("s", sortBy).put("d", descending).put("k", key).put("i", id);
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(Json.write(n).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text, RecordQuery q) {
      try {
        JsonNode n =
            Json.parse(
                "cursor", new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
        Cursor c =
            new Cursor(
                n.path("s").asText(),
                n.path("d").asBoolean(),
                n.path("k").asText(),
                n.path("i").asText());
        if (isTimeSort(c.sortBy())) Instant.parse(c.key());
        if (c.sortBy().equals(RecordQuery.RELEVANCE) && Integer.parseInt(c.key()) < 0)
          throw new IllegalArgumentException("negative offset");
        if (c.sortBy().equals(q.sortBy()) && c.descending() == q.descending() && !c.id().isEmpty())
          return c;
      } catch (IllegalArgumentException | java.time.DateTimeException | FlowstoreException e) {
        // answered below
      }
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "cursor: not a cursor of this query's sort; pass the next_cursor of the previous page, with the same sort");
    }
  }

  RecordPage page(RecordQuery q) {
    check(q);
    boolean sortKey = !isTimeSort(q.sortBy()) && !q.sortBy().equals(RecordQuery.RELEVANCE);
    return toPage(
        q, checkedRead(q.collection(), col -> pageSql(col, q), rs -> row(rs, q, sortKey)));
  }

  private RecordPage toPage(RecordQuery q, List<Row> rows) {
    String next = null;
    if (rows.size() > q.limit()) {
      rows = rows.subList(0, q.limit());
      Row last = rows.get(rows.size() - 1);
      String key =
          switch (q.sortBy()) {
            case RecordQuery.CREATED_AT -> last.record().createdAt().toString();
            case RecordQuery.UPDATED_AT -> last.record().updatedAt().toString();
            case RecordQuery.RELEVANCE ->
                Integer.toString(
                    (q.cursor() == null
                            ? q.offset()
                            : Integer.parseInt(Cursor.decode(q.cursor(), q).key()))
                        + q.limit());
            default -> last.sortKey();
          };
      next = new Cursor(q.sortBy(), q.descending(), key, last.record().id()).encode();
    }
    return new RecordPage(rows.stream().map(Row::record).toList(), next);
  }

  long count(RecordQuery q) {
    check(q);
    return checkedRead(q.collection(), col -> countSql(col, q), rs -> rs.getLong(1)).get(0);
  }

  /** Builds a query's statement from a declaration. */
  interface Statement {
    Sql of(Collection col);
  }

  /**
   * The rows of the statement {@code build} makes from the collection's declaration. With a
   * declaration in the store's cache, the statement is built from it and sent with the check of
   * that declaration ({@link JdbcCollections#checkSql}), as one read transaction (on PostgreSQL one
   * round trip with the tenant scope); its rows count only if the check finds the declaration
   * unchanged. Otherwise (none cached, changed, or the cached one refuses the query) the
   * declaration is read first, then the statement, in one read transaction.
   */
  <T> List<T> checkedRead(String name, Statement build, Columns.Mapper<T> mapper) {
    JdbcFlowstore fs = scope.flowstore();
    Collection cached = fs.declarations.get(name);
    Sql sql = null;
    if (cached != null) {
      try {
        sql = build.of(cached);
      } catch (FlowstoreException e) {
        // why: the cached declaration may be older than the one stored (a field since indexed)
      }
    }
    if (sql != null) {
      List<Sql> both = List.of(JdbcCollections.checkSql(dialect, name, cached), sql);
      var out =
          new Object() {
            Collection now;
            List<T> rows = new ArrayList<>();
          };
      Transactions.RowsReader reader =
          (i, rs) -> {
            if (i == 0) out.now = JdbcCollections.checked(fs, name, cached, rs).orElse(null);
            else while (rs.next()) out.rows.add(mapper.map(rs));
          };
      if (scope.ownsTransactions()) fs.transactions().readStatements(scope.tenant(), both, reader);
      else
        scope.read(
            c -> {
              Transactions.eachStatement(c, both, reader);
              return null;
            });
      if (out.now == null) throw JdbcCollections.notDeclared(name);
      if (out.now == cached) return out.rows;
    }
    return scope.read(c -> Columns.list(c, build.of(JdbcCollections.current(fs, c, name)), mapper));
  }

  private void check(RecordQuery q) {
    if (q == null) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "query is required");
    CollectionRules.name("collection", q.collection());
    EventValidation.limit(q.limit());
    if (q.offset() < 0 || q.offset() > MAX_OFFSET)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "offset must be between 0 and "
              + MAX_OFFSET
              + ", got "
              + q.offset()
              + "; page with the cursor beyond");
    if (q.offset() > 0 && q.cursor() != null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "offset and cursor exclude each other: use one");
    if (q.parentId() != null) CollectionRules.id("parent_id", q.parentId());
    if (q.search() == null && q.sortBy().equals(RecordQuery.RELEVANCE))
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "sort_by: relevance orders a search; give a search term, or sort by another field");
    if (q.search() != null) words(q.search());
  }

  /** The most characters of a search term. */
  static final int MAX_SEARCH = RecordQuery.MAX_SEARCH;

  /**
   * The words of a search term: its runs of letters and digits, lower-cased. why the engine splits
   * and not the database's query parser: every word is then one quoted FTS5 string and one plain
   * lexeme, so no character of the term (quotes, {@code *}, {@code -}, {@code ^}, {@code :}, {@code
   * NEAR}, {@code OR}) is syntax on either database, and both find the same words.
   */
  static List<String> words(String term) {
    if (term.length() > MAX_SEARCH)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "search: at most " + MAX_SEARCH + " characters, got " + term.length());
    List<String> out = new ArrayList<>();
    for (String w : term.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
      if (!w.isEmpty()) out.add(w);
    if (out.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "search: the term has no words (letters or digits) to look for");
    return out;
  }

  /**
   * The full-text match of {@code words} on the text row {@code t} (and SQLite's index {@code x}).
   */
  private String match() {
    return postgres()
        ? "to_tsvector('simple', t.body) @@ plainto_tsquery('simple', ?)"
        : "record_text_index MATCH ?";
  }

  /** The bound value of {@link #match}: the words, each a quoted FTS5 string on SQLite. */
  private String matchValue(List<String> words) {
    if (postgres()) return String.join(" ", words);
    return words.stream()
        .map(w -> "\"" + w.replace("\"", "\"\"") + "\"")
        .collect(Collectors.joining(" "));
  }

  /**
   * The text rows {@code t} (and SQLite's index {@code x}). why CROSS JOIN on SQLite: it fixes the
   * join order (SQLite's planner, without statistics, otherwise reads every text of the tenant's
   * collection and probes the FTS5 index with each); the words are looked up once, then each
   * matching row by its text_id (SqliteQueryPlansTest).
   */
  private String texts() {
    return postgres()
        ? "record_texts t"
        : "record_text_index x CROSS JOIN record_texts t ON t.text_id = x.rowid";
  }

  private boolean postgres() {
    return dialect.name().equals("postgresql");
  }

  /** Checks that the collection declares full-text fields; the words of the query's term. */
  private static List<String> searchable(Collection col, RecordQuery q) {
    if (col.spec().fullText().isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "search: collection '"
              + col.name()
              + "' declares no full-text fields; declare them in its full_text (pointers to string fields such as /title), then search");
    return words(q.search());
  }

  /** The page's statement (one row more than the limit, to know whether there is a next page). */
  Sql pageSql(Collection col, RecordQuery q) {
    Cursor after = q.cursor() == null ? null : Cursor.decode(q.cursor(), q);
    String dir = q.descending() ? " DESC" : " ASC";
    String cmp = q.descending() ? " < " : " > ";
    Sql sql;
    if (q.sortBy().equals(RecordQuery.RELEVANCE)) {
      List<String> words = searchable(col, q);
      sql = new Sql(dialect, "SELECT " + columns(q) + " FROM " + texts() + recordOf("t"));
      where(sql, col, q, false);
      sql.append(
          " AND t.tenant_id = ? AND t.collection = ? AND " + match(),
          scope.tenant().value(),
          col.name(),
          matchValue(words));
      // why by offset: a rank is a float computed per query, no key to resume after; the cursor
      // of a relevance page holds the offset of the next one
      if (postgres())
        sql.append(
            " ORDER BY ts_rank(to_tsvector('simple', t.body), plainto_tsquery('simple', ?)) DESC, r.record_id",
            matchValue(words));
      else sql.append(" ORDER BY x.rank, r.record_id");
      int skip = after == null ? q.offset() : Integer.parseInt(after.key());
      sql.append(" LIMIT ?", q.limit() + 1);
      if (skip > 0) sql.append(" OFFSET ?", skip);
      return sql;
    }
    if (isTimeSort(q.sortBy())) {
      String t = "r." + q.sortBy();
      sql = new Sql(dialect, "SELECT " + columns(q) + " FROM records r");
      where(sql, col, q, true);
      if (after != null) {
        Instant at = Instant.parse(after.key());
        sql.append(" AND (" + t + ", r.record_id)" + cmp + "(?, ?)", at, after.id());
      }
      sql.append(" ORDER BY " + t + dir + ", r.record_id" + dir);
    } else {
      IndexedField sort = field(col, q.sortBy(), "sort_by");
      String key = RecordIndex.keyExpr(dialect, "r", col.spec(), sort.pointer());
      sql = new Sql(dialect, "SELECT " + columns(q) + ", " + key + " AS sort_key FROM records r");
      where(sql, col, q, true);
      // a ready field's key is never NULL (every write and the field's build write every key;
      // a null value's key is ""), so the row comparison passes over no record
      if (after != null)
        sql.append(" AND (" + key + ", r.record_id)" + cmp + "(?, ?)", after.key(), after.id());
      sql.append(" ORDER BY " + key + dir + ", r.record_id" + dir);
    }
    sql.append(" LIMIT ?", q.limit() + 1);
    if (q.offset() > 0) sql.append(" OFFSET ?", q.offset());
    return sql;
  }

  /**
   * The record of the row {@code alias} (a text row: tenant_id, collection, record_id) as {@code
   * r}, found by its primary key. why a LATERAL subquery ordered by the key, with LIMIT, on
   * PostgreSQL: the planner cannot flatten it into a join, and the order is one only records_pk
   * gives, so its one plan is a probe of records_pk per row; as a join, with no statistics, it
   * scanned the collection's records for every row and matched the id as a join filter. why CROSS
   * JOIN on SQLite: it fixes the join order, which its planner, without statistics, may otherwise
   * turn around.
   */
  private String recordOf(String alias) {
    String a = alias + ".";
    return postgres()
        ? " CROSS JOIN LATERAL (SELECT * FROM records k WHERE k.tenant_id = "
            + a
            + "tenant_id AND k.collection = "
            + a
            + "collection AND k.record_id = "
            + a
            + "record_id ORDER BY k.record_id LIMIT 1) r"
        : " CROSS JOIN records r ON r.tenant_id = "
            + a
            + "tenant_id AND r.collection = "
            + a
            + "collection AND r.record_id = "
            + a
            + "record_id";
  }

  /**
   * The field whose expression index drives a query (null: none, the records' own indexes do): a
   * sort by a field, that field ({@code rx_<h>_v}); else, in created_at / updated_at order, the
   * first equality filter, whose {@code rx_<h>_c} / {@code _u} holds the value then the order (one
   * range scan, no sort). None for the children of a parent ({@code records_parent_ix} holds them
   * in order, and a parent has few), a search (its texts drive it) or when no filter is an equality
   * (the records are walked in order, {@code records_created_ix} / {@code records_updated_ix}, and
   * each filter checked on the row: a range or an IN list of one field has no single order to
   * read).
   */
  private static String driver(RecordQuery q) {
    if (!isTimeSort(q.sortBy()) && !q.sortBy().equals(RecordQuery.RELEVANCE)) return q.sortBy();
    if (q.parentId() != null || q.search() != null) return null;
    for (RecordFilter f : q.filters())
      if (f != null && f.op() == RecordFilter.Op.EQ && f.pointer() != null) return f.pointer();
    return null;
  }

  /** The count's statement: the page's conditions, no order, no page. */
  Sql countSql(Collection col, RecordQuery q) {
    Sql sql = new Sql(dialect, "SELECT count(*) FROM records r");
    where(sql, col, q, true);
    return sql;
  }

  /**
   * The WHERE clause on the records {@code r}: tenant and collection, parent, archived, each filter
   * a condition on its field's key ({@link RecordIndex#keyExpr}), then the search when {@code
   * search} (a relevance page joins the text rows itself). The collection is a literal: the
   * expression indexes of its fields are partial on it ({@link RecordIndexes#literal}).
   */
  private void where(Sql sql, Collection col, RecordQuery q, boolean search) {
    String tenant = scope.tenant().value();
    sql.append(
        " WHERE r.tenant_id = ? AND r.collection = " + RecordIndexes.literal(col.name()), tenant);
    if (q.parentId() != null) sql.append(" AND r.parent_id = ?", q.parentId());
    if (!q.includeArchived()) sql.append(" AND r.archived_at IS NULL");
    String driver = driver(q);
    for (RecordFilter f : q.filters()) {
      if (f == null || f.op() == null)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "filter: field and op are required");
      IndexedField field = field(col, f.pointer(), "filter");
      String key =
          field.pointer().equals(driver)
              ? RecordIndex.keyExpr(dialect, "r", col.spec(), field.pointer())
              : RecordIndex.keyValue(dialect, "r", col.spec(), field.pointer());
      condition(sql, key, field, f);
    }
    if (q.search() != null && search) {
      // why a subquery, not a probe per row: the text index answers the words once. why ARRAY
      // on PostgreSQL: an uncorrelated ARRAY(...) is run once, before the rest (an InitPlan);
      // IN (SELECT ...) is turned into a join, which without statistics was planned as the
      // records each matched against every text row (34 s for a count of 2,400 records)
      List<String> words = searchable(col, q);
      sql.append(
          (postgres()
                  ? " AND r.record_id = ANY (ARRAY(SELECT t.record_id FROM "
                  : " AND r.record_id IN (SELECT t.record_id FROM ")
              + texts()
              + " WHERE t.tenant_id = ? AND t.collection = ? AND "
              + match()
              + (postgres() ? "))" : ")"),
          tenant,
          col.name(),
          matchValue(words));
    }
  }

  private static void condition(Sql sql, String column, IndexedField field, RecordFilter f) {
    List<JsonNode> values = f.values();
    if (f.op() == RecordFilter.Op.IN) {
      if (values.isEmpty() || values.size() > MAX_IN)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "filter on "
                + field.pointer()
                + ": IN takes 1 to "
                + MAX_IN
                + " values, got "
                + values.size());
      List<String> keys = new ArrayList<>();
      for (JsonNode v : values) keys.add(IndexKeys.ofValue(field, v));
      sql.append(" AND " + column + " IN (").appendList(", ", keys).append(")");
      return;
    }
    if (values.size() != 1)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "filter on "
              + field.pointer()
              + ": "
              + f.op()
              + " takes one value, got "
              + values.size());
    JsonNode v = values.get(0);
    switch (f.op()) {
      case EQ -> sql.append(" AND " + column + " = ?", IndexKeys.ofValue(field, v));
      case GT -> sql.append(" AND " + column + " > ?", IndexKeys.ofValue(field, v));
      case GTE -> sql.append(" AND " + column + " >= ?", IndexKeys.ofValue(field, v));
      // why the lower bound: null is the empty key, below every value, and matches no filter
      case LT ->
          sql.append(
              " AND " + column + " > '' AND " + column + " < ?", IndexKeys.ofValue(field, v));
      case LTE ->
          sql.append(
              " AND " + column + " > '' AND " + column + " <= ?", IndexKeys.ofValue(field, v));
      case PREFIX -> {
        if (field.type() != dev.flowstore.FieldType.STRING || !v.isTextual())
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              "filter on " + field.pointer() + ": PREFIX applies to string fields, with a string");
        String low = IndexKeys.ofValue(field, v);
        sql.append(
            " AND " + column + " >= ? AND " + column + " < ?",
            low,
            IndexKeys.prefixUpperBound(v.textValue()));
      }
      default -> throw new IllegalStateException("unhandled op " + f.op());
    }
  }

  private static boolean isTimeSort(String sortBy) {
    return sortBy.equals(RecordQuery.CREATED_AT) || sortBy.equals(RecordQuery.UPDATED_AT);
  }

  /** The indexed field {@code pointer}, ready to be queried. */
  private static IndexedField field(Collection col, String pointer, String what) {
    for (IndexedField f : col.spec().indexed()) {
      if (!f.pointer().equals(pointer)) continue;
      if (!col.readyFields().contains(f))
        throw new FlowstoreException(
            ErrorCode.UNPROCESSABLE,
            what
                + ": the index of "
                + pointer
                + " in collection '"
                + col.name()
                + "' is still being built; retry when the collection lists it as ready (declare it again to resume a build that stopped)");
      return f;
    }
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        what
            + ": "
            + pointer
            + " is not an indexed field of collection '"
            + col.name()
            + "' (indexed: "
            + col.spec().indexed().stream().map(IndexedField::pointer).toList()
            + "; or sort by created_at, updated_at)");
  }

  /** A row of {@link #columns}, and its sort_key after them when {@code sortKey}. */
  private Row row(java.sql.ResultSet rs, RecordQuery q, boolean sortKey)
      throws java.sql.SQLException {
    StoredRecord r =
        StoredRecord.lazy(
            q.collection(),
            rs.getString(1),
            dialect.getStoredJson(rs, 2, "stored record"),
            rs.getLong(3),
            rs.getString(4),
            q.includeArchived() ? Columns.getTime(dialect, rs, 7) : null,
            dialect.getTime(rs, 5),
            dialect.getTime(rs, 6));
    return new Row(r, sortKey ? rs.getString(q.includeArchived() ? 8 : 7) : null);
  }
}
