package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.TenantId;
import dev.flowstore.internal.IndexKeys;
import dev.flowstore.internal.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The index keys and unique values of records, written in the transaction that writes the record:
 * the record's {@code keys} column (its {@link IndexKeys} key per indexed field, {@link
 * #keysValue}), which the partial expression indexes of {@link RecordIndexes} index per collection
 * and field; one {@code record_unique_values} row per non-null unique field, whose primary key
 * (tenant, collection, field, value) makes a uniqueness race impossible to win twice; and one
 * {@code record_texts} row per record with full-text values ({@link #text}), which PostgreSQL
 * indexes with GIN and SQLite's triggers copy into the FTS5 table {@code record_text_index}.
 */
final class RecordIndex {
  /** Records re-indexed per transaction by a build: short enough not to hold up writes. */
  static final int BUILD_BATCH = 200;

  private RecordIndex() {}

  /**
   * The place of field {@code pointer} in {@code records.keys}: its place in the declaration's
   * indexed fields, from 1. why an array by place, not an object by name: PostgreSQL's {@code ->>}
   * on jsonb is not leakproof, so under row-level security (policy quals first) a condition on it
   * is never an index condition and the expression index went unused; an array's subscript and
   * text's comparisons are leakproof. A field that changes place is rebuilt ({@link #rebuild}).
   */
  static int slot(CollectionSpec spec, String pointer) {
    List<IndexedField> fields = spec.indexed();
    for (int i = 0; i < fields.size(); i++)
      if (fields.get(i).pointer().equals(pointer)) return i + 1;
    throw new IllegalArgumentException(pointer + " is not indexed in " + spec.name());
  }

  /** The {@code records.keys} value of these keys (in the declaration's order), to bind. */
  static String keysValue(Dialect d, Map<String, String> keys) {
    if (!postgres(d)) {
      var out = Json.MAPPER.createArrayNode();
      for (String k : keys.values()) out.add(k);
      return Json.write(out);
    }
    return textArray(keys.values());
  }

  /** A PostgreSQL text[] literal of {@code values} (a null value is NULL). */
  static String textArray(Iterable<String> values) {
    StringBuilder out = new StringBuilder("{");
    for (String k : values) {
      if (out.length() > 1) out.append(',');
      if (k == null) out.append("NULL");
      else out.append('"').append(k.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return out.append('}').toString();
  }

  /** The parameter of a {@link #keysValue}: a text array on PostgreSQL, a JSON array on SQLite. */
  static String keysParam(Dialect d) {
    return postgres(d) ? "?::text[]" : "?";
  }

  private static boolean postgres(Dialect d) {
    return d.name().equals("postgresql");
  }

  /**
   * The key of field {@code pointer} of the record {@code alias} (null: no alias), as the
   * expression indexes of {@link RecordIndexes} hold it, so a condition or an order on it is a
   * range of such an index. PostgreSQL: {@code COLLATE "C"}, byte order (the order the keys are
   * made for), whatever the database's collation; SQLite's default BINARY is byte order.
   */
  static String keyExpr(Dialect d, String alias, CollectionSpec spec, String pointer) {
    String keys = (alias == null ? "" : alias + ".") + "keys";
    int slot = slot(spec, pointer);
    return postgres(d)
        ? "(" + keys + "[" + slot + "] COLLATE \"C\")"
        : "(" + keys + " ->> '$[" + (slot - 1) + "]')";
  }

  /**
   * The same key as {@link #keyExpr}, in a form no index matches: a filter that does not drive a
   * query is checked on the rows its driving index finds. why: without statistics a planner may
   * take the index of any filter and sort after (SQLite took a range filter's over an equality's
   * that gives the page's order), so a query's plan is the one {@link RecordQueries} means.
   */
  static String keyValue(Dialect d, String alias, CollectionSpec spec, String pointer) {
    int slot = slot(spec, pointer);
    return postgres(d)
        ? "((" + alias + ".keys[" + slot + "] || '') COLLATE \"C\")"
        : "(+(" + alias + ".keys ->> '$[" + (slot - 1) + "]'))";
  }

  /** The index keys of {@code data}, by pointer, refusing a value of the wrong type. */
  static Map<String, String> keys(CollectionSpec spec, ObjectNode data) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (IndexedField f : spec.indexed()) keys.put(f.pointer(), IndexKeys.of(f, data));
    return keys;
  }

  /**
   * Fails with ALREADY_EXISTS when another record of the tenant holds a value of a unique field
   * that {@code keys} holds. why a read before the insert: on PostgreSQL a failed insert aborts the
   * caller's whole transaction, and an error the caller may handle must leave it usable; the
   * primary key still settles a race (the feed lock, taken first, already serializes the tenant's
   * writers).
   */
  static void checkUnique(
      Connection c,
      Dialect d,
      String tenant,
      CollectionSpec spec,
      String id,
      Map<String, String> keys)
      throws SQLException {
    for (String field : spec.unique()) {
      String key = keys.get(field);
      if (key == null || key.equals(IndexKeys.NULL)) continue;
      Optional<String> holder = holder(c, d, tenant, spec.name(), field, key);
      if (holder.isPresent() && !holder.get().equals(id))
        throw uniqueTaken(spec, field, holder.get());
    }
  }

  /** ALREADY_EXISTS: record {@code holder} holds the value of the unique field {@code field}. */
  static FlowstoreException uniqueTaken(CollectionSpec spec, String field, String holder) {
    return new FlowstoreException(
        ErrorCode.ALREADY_EXISTS,
        "unique field "
            + field
            + ": its value is already held by record '"
            + holder
            + "' of collection '"
            + spec.name()
            + "'; choose another value");
  }

  /** The statement of {@link #holder}: one row (the holder's id), or none. */
  static Sql holderSql(Dialect d, String tenant, String collection, String field, String key) {
    return new Sql(
        d,
        "SELECT record_id FROM record_unique_values WHERE tenant_id = ? AND collection = ? AND field = ? AND value = ?",
        tenant,
        collection,
        field,
        key);
  }

  /**
   * The inserts of a new record's searchable text and unique values (what {@link #write} writes for
   * a record that has none yet), each one statement, to be sent together.
   */
  static List<Sql> insertsOf(
      Dialect d,
      String tenant,
      CollectionSpec spec,
      String id,
      Map<String, String> keys,
      ObjectNode data) {
    List<Sql> out = new java.util.ArrayList<>();
    String text = text(spec, data);
    if (text != null)
      out.add(
          new Sql(
              d,
              "INSERT INTO record_texts (tenant_id, collection, record_id, body) VALUES (?, ?, ?, ?)",
              tenant,
              spec.name(),
              id,
              text));
    String sep = "";
    Sql unique =
        new Sql(
            d,
            "INSERT INTO record_unique_values (tenant_id, collection, field, value, record_id) VALUES ");
    for (String f : spec.unique()) {
      String key = keys.get(f);
      if (key == null || key.equals(IndexKeys.NULL)) continue;
      unique.append(sep + "(?, ?, ?, ?, ?)", tenant, spec.name(), f, key, id);
      sep = ", ";
    }
    if (!sep.isEmpty()) out.add(unique);
    return out;
  }

  /** The id of the record holding {@code key} in the unique field {@code field}. */
  static Optional<String> holder(
      Connection c, Dialect d, String tenant, String collection, String field, String key)
      throws SQLException {
    return Columns.one(c, holderSql(d, tenant, collection, field, key), rs -> rs.getString(1));
  }

  /**
   * The searchable text of {@code data}: the string values at the declared full-text pointers, one
   * a line, or null when there are none (the record then has no text row). Other types are skipped:
   * full-text fields are not type-checked, so a field may hold a string in some records only.
   */
  static String text(CollectionSpec spec, ObjectNode data) {
    StringBuilder out = new StringBuilder();
    for (String pointer : spec.fullText()) {
      JsonNode v = data.at(pointer);
      if (!v.isTextual() || v.textValue().isBlank()) continue;
      if (!out.isEmpty()) out.append('\n');
      out.append(v.textValue());
    }
    return out.isEmpty() ? null : out.toString();
  }

  /**
   * Replaces the record's unique values and searchable text with those of {@code keys} and {@code
   * data} (its keys column is the caller's: the UPDATE of the record). {@code fresh}: the record is
   * new, so it has nothing to remove.
   */
  static void write(
      Connection c,
      Dialect d,
      String tenant,
      CollectionSpec spec,
      String id,
      Map<String, String> keys,
      ObjectNode data,
      boolean fresh)
      throws SQLException {
    if (!fresh) remove(c, d, tenant, spec.name(), id);
    String text = text(spec, data);
    if (text != null)
      Columns.update(
          c,
          new Sql(
              d,
              "INSERT INTO record_texts (tenant_id, collection, record_id, body) VALUES (?, ?, ?, ?)",
              tenant,
              spec.name(),
              id,
              text));
    List<String> unique =
        spec.unique().stream()
            .filter(f -> keys.get(f) != null && !keys.get(f).equals(IndexKeys.NULL))
            .toList();
    Columns.batch(
        c,
        "INSERT INTO record_unique_values (tenant_id, collection, field, value, record_id) VALUES (?, ?, ?, ?, ?)",
        unique,
        (ps, f) -> {
          ps.setString(1, tenant);
          ps.setString(2, spec.name());
          ps.setString(3, f);
          ps.setString(4, keys.get(f));
          ps.setString(5, id);
        });
  }

  /** Removes the record's unique values and searchable text. */
  static void remove(Connection c, Dialect d, String tenant, String collection, String id)
      throws SQLException {
    for (String table : List.of("record_unique_values", "record_texts"))
      Columns.update(
          c,
          new Sql(
              d,
              "DELETE FROM " + table + " WHERE tenant_id = ? AND collection = ? AND record_id = ?",
              tenant,
              collection,
              id));
  }

  /**
   * Builds one tenant's index of {@code declared}: every record re-indexed by the declaration, in
   * batches of {@link #BUILD_BATCH}, each a transaction of its own that takes the tenant's feed
   * lock first. why that lock: every record write takes it before it reads the declaration, so a
   * write that read the previous declaration has committed before the first batch starts, and every
   * later write indexes by the new one; no record is left indexed by the old one. Stops early when
   * a newer declaration replaced this one (its own build takes over).
   *
   * @throws FlowstoreException ALREADY_EXISTS when two records hold one value of a unique field
   */
  static void rebuild(JdbcFlowstore fs, TenantId tenant, Collection declared) {
    Dialect d = fs.dialect();
    String t = tenant.value();
    CollectionSpec spec = declared.spec();
    String after = "";
    while (after != null) {
      String from = after;
      after =
          fs.write(
              tenant,
              c -> {
                new JdbcEventStore(fs.joined(tenant, c)).lockFeed(c);
                Optional<Collection> now = JdbcCollections.load(d, c, spec.name());
                if (now.isEmpty() || now.get().version() != declared.version()) return null;
                List<Stored> batch =
                    Columns.list(
                        c,
                        new Sql(
                            d,
                            "SELECT record_id, data FROM records WHERE tenant_id = ? AND collection = ? AND record_id > ? ORDER BY record_id LIMIT ?",
                            t,
                            spec.name(),
                            from,
                            BUILD_BATCH),
                        rs ->
                            new Stored(
                                rs.getString("record_id"),
                                Json.stored("stored record", rs.getString("data"))));
                for (Stored r : batch) {
                  Map<String, String> keys = lenientKeys(spec, r.getValue());
                  try {
                    checkUnique(c, d, t, spec, r.getKey(), keys);
                  } catch (FlowstoreException e) {
                    throw new FlowstoreException(
                        ErrorCode.ALREADY_EXISTS,
                        "cannot build the index of collection '"
                            + spec.name()
                            + "' for tenant "
                            + t
                            + ": record '"
                            + r.getKey()
                            + "': "
                            + e.getMessage()
                            + "; make the values unique, then declare the collection again");
                  }
                  write(c, d, t, spec, r.getKey(), keys, r.getValue(), false);
                  Columns.update(
                      c,
                      new Sql(
                          d,
                          "UPDATE records SET keys = "
                              + keysParam(d)
                              + " WHERE tenant_id = ? AND collection = ? AND record_id = ?",
                          keysValue(d, keys),
                          t,
                          spec.name(),
                          r.getKey()));
                }
                return batch.size() < BUILD_BATCH ? null : batch.get(batch.size() - 1).getKey();
              });
    }
  }

  /** A record as a build reads it. */
  private record Stored(String getKey, ObjectNode getValue) {}

  /**
   * The keys of a record stored before the declaration: a value of another type than the new
   * declaration's is indexed as null (it was valid when written); its next write must fix it.
   */
  static Map<String, String> lenientKeys(CollectionSpec spec, ObjectNode data) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (IndexedField f : spec.indexed()) {
      String key;
      try {
        key = IndexKeys.of(f, data);
      } catch (FlowstoreException e) {
        key = IndexKeys.NULL;
      }
      keys.put(f.pointer(), key);
    }
    return keys;
  }
}
