package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Collections;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.TenantId;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Collection declarations in SQL: one row per collection for every tenant, written as the owner
 * (outside any tenant), read by tenant transactions. A declaration that changes the index is
 * followed by its build ({@link RecordIndex#rebuild}), tenant by tenant, before {@link #declare}
 * returns; {@code ready_fields} says which fields' indexes hold every record.
 *
 * <p>{@code ready_fields} is a JSON array of those fields; while a build that rewrites the records'
 * texts ({@code full_text} changed) has not gone through every tenant, the array ends with one more
 * element, {@code {"full_text_ready": false}} ({@link Collection#fullTextReady}). Why a marker in
 * the array and not an object or a column: no migration (SQLite's column is CHECKed to hold an
 * array), and every row written before reads as it did.
 */
final class JdbcCollections implements Collections {
  private static final String COLUMNS = "spec, version, ready_fields, created_at, updated_at";

  private final JdbcFlowstore flowstore;
  private final Dialect dialect;

  JdbcCollections(JdbcFlowstore flowstore) {
    this.flowstore = flowstore;
    this.dialect = flowstore.dialect();
  }

  @Override
  public Collection declare(CollectionSpec spec) {
    CollectionRules.check(spec);
    Stored result = flowstore.system(c -> store(c, spec));
    flowstore.declarations.remove(spec.name());
    Collection stored = result.collection();
    if (!result.rebuild()) {
      // why also for the same spec again: it builds an index a failed build left out
      RecordIndexes.ensure(flowstore);
      return stored;
    }
    for (TenantId tenant : flowstore.tenants()) {
      RecordIndex.rebuild(flowstore, tenant, stored);
    }
    // why before the fields are marked ready: a ready field's queries find its index
    RecordIndexes.ensure(flowstore);
    return flowstore.system(
        c -> {
          Sql ready =
              new Sql(
                  dialect,
                  "UPDATE collections SET ready_fields = "
                      + dialect.jsonParam()
                      + " WHERE collection = ? AND version = ?",
                  Json.write(CollectionRules.fields(stored.spec().indexed())),
                  spec.name(),
                  stored.version());
          Columns.update(c, ready);
          return load(dialect, c, spec.name()).orElseThrow();
        });
  }

  /** A declaration as stored, and whether its index must be built before it is ready. */
  private record Stored(Collection collection, boolean rebuild) {}

  /** Inserts or updates the declaration (same spec: nothing), returning it as stored. */
  private Stored store(Connection c, CollectionSpec spec) throws SQLException {
    if (spec.parent() != null
        && !spec.parent().equals(spec.name())
        && load(dialect, c, spec.parent()).isEmpty())
      throw new FlowstoreException(
          ErrorCode.NOT_FOUND,
          "parent collection '" + spec.parent() + "' is not declared: declare it first");
    Optional<Collection> current = lock(c, spec.name());
    Instant now = flowstore.now();
    String specJson = Json.write(CollectionRules.toJson(spec));
    if (current.isEmpty()) {
      // why: a new collection has no records, so every index is ready at once
      Sql insert =
          new Sql(
              dialect,
              "INSERT INTO collections (collection, spec, version, ready_fields, created_at, updated_at) VALUES (?, "
                  + dialect.jsonParam()
                  + ", 1, "
                  + dialect.jsonParam()
                  + ", ?, ?)",
              spec.name(),
              specJson,
              Json.write(CollectionRules.fields(spec.indexed())),
              now,
              now);
      try {
        Columns.update(c, insert);
      } catch (SQLException e) {
        if (!SqlErrors.isUniqueViolation(dialect, e)) throw e;
        throw new FlowstoreException(
            ErrorCode.VERSION_CONFLICT,
            "collection '" + spec.name() + "' was declared concurrently; declare it again");
      }
      return new Stored(load(dialect, c, spec.name()).orElseThrow(), false);
    }
    Collection cur = current.get();
    // why: the same spec again resumes a build that stopped (its fields or texts are not ready)
    if (CollectionRules.toJson(cur.spec()).equals(CollectionRules.toJson(spec)))
      return new Stored(cur, !cur.ready() || !cur.fullTextReady());
    // why: a field stays ready only if it keeps its type, unique choice and place in the list
    // (its place in the records' keys, RecordIndex.slot); the others (new, retyped, newly unique,
    // moved) are ready once built
    List<IndexedField> ready = new ArrayList<>();
    List<IndexedField> before = cur.spec().indexed();
    for (int i = 0; i < spec.indexed().size(); i++) {
      IndexedField f = spec.indexed().get(i);
      boolean unique = spec.unique().contains(f.pointer());
      boolean samePlace = i < before.size() && before.get(i).equals(f);
      if (samePlace
          && cur.readyFields().contains(f)
          && unique == cur.spec().unique().contains(f.pointer())) ready.add(f);
    }
    // why: a field dropped from the index (or from unique) is a build too: it removes the entries
    // why: the records' texts are written by the build too (added or dropped fields); a text
    // build that had not finished (a crash, a unique conflict) is still unfinished
    boolean texts = !cur.spec().fullText().equals(spec.fullText()) || !cur.fullTextReady();
    boolean rebuild =
        !ready.equals(spec.indexed())
            || !cur.spec().indexed().equals(spec.indexed())
            || !cur.spec().unique().equals(spec.unique())
            || texts;
    Sql update =
        new Sql(
            dialect,
            "UPDATE collections SET spec = "
                + dialect.jsonParam()
                + ", version = version + 1, ready_fields = "
                + dialect.jsonParam()
                + ", updated_at = ? WHERE collection = ?",
            specJson,
            Json.write(readyJson(ready, !texts)),
            now,
            spec.name());
    Columns.update(c, update);
    return new Stored(load(dialect, c, spec.name()).orElseThrow(), rebuild);
  }

  private Optional<Collection> lock(Connection c, String name) throws SQLException {
    return Columns.one(
        c,
        new Sql(
            dialect,
            "SELECT " + COLUMNS + " FROM collections WHERE collection = ?" + dialect.forUpdate(),
            name),
        rs -> map(dialect, rs));
  }

  @Override
  public Optional<Collection> get(String name) {
    CollectionRules.name("collection", name);
    return flowstore.system(c -> load(dialect, c, name));
  }

  @Override
  public List<Collection> list() {
    return flowstore.system(
        c ->
            Columns.list(
                c,
                new Sql(dialect, "SELECT " + COLUMNS + " FROM collections ORDER BY collection"),
                rs -> map(dialect, rs)));
  }

  /** The declaration as the transaction on {@code c} sees it (a tenant's, or the owner's). */
  static Optional<Collection> load(Dialect dialect, Connection c, String name) throws SQLException {
    return Columns.one(
        c,
        new Sql(dialect, "SELECT " + COLUMNS + " FROM collections WHERE collection = ?", name),
        rs -> map(dialect, rs));
  }

  /** The collection, or NOT_FOUND saying how to declare it. */
  static Collection require(Dialect dialect, Connection c, String name) throws SQLException {
    return load(dialect, c, name).orElseThrow(() -> notDeclared(name));
  }

  /**
   * The statement that checks a cached declaration ({@code cached}, or null when there is none)
   * against the stored one: the stored version and ready fields, and the spec only when the version
   * differs. No row: the collection is not declared. Read by {@link #checked}.
   */
  static Sql checkSql(Dialect dialect, String name, Collection cached) {
    return new Sql(
        dialect,
        "SELECT version, ready_fields, CASE WHEN version = ? THEN NULL ELSE spec END AS spec,"
            + " created_at, updated_at FROM collections WHERE collection = ?",
        cached == null ? 0 : cached.version(),
        name);
  }

  /**
   * The declaration as the row of {@link #checkSql} tells it ({@code cached} itself when it is
   * still the stored one), remembered in the store's cache; empty when not declared (forgotten).
   */
  static Optional<Collection> checked(
      JdbcFlowstore fs, String name, Collection cached, ResultSet rs) throws SQLException {
    if (!rs.next()) {
      fs.declarations.remove(name);
      return Optional.empty();
    }
    Dialect dialect = fs.dialect();
    int version = rs.getInt("version");
    Ready ready = Ready.of(rs);
    String spec = rs.getString("spec");
    boolean same = cached != null && cached.version() == version && spec == null;
    if (same
        && cached.readyFields().equals(ready.fields())
        && cached.fullTextReady() == ready.fullText()) return Optional.of(cached);
    Collection now =
        new Collection(
            same ? cached.spec() : CollectionRules.fromJson(Json.stored("stored spec", spec)),
            version,
            ready.fields(),
            dialect.getTime(rs, "created_at"),
            dialect.getTime(rs, "updated_at"),
            ready.fullText());
    fs.declarations.put(name, now);
    return Optional.of(now);
  }

  /**
   * The collection as the transaction on {@code c} sees it, or NOT_FOUND: one statement that reads
   * the spec only when the store's cached declaration is not the stored one.
   */
  static Collection current(JdbcFlowstore fs, Connection c, String name) throws SQLException {
    Collection cached = fs.declarations.get(name);
    Sql sql = checkSql(fs.dialect(), name, cached);
    Optional<Collection> now;
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql.text())) {
      sql.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        now = checked(fs, name, cached, rs);
      }
    }
    return now.orElseThrow(() -> notDeclared(name));
  }

  /** NOT_FOUND for a collection that is not declared, saying how to declare it. */
  static FlowstoreException notDeclared(String name) {
    return new FlowstoreException(
        ErrorCode.NOT_FOUND,
        "collection '"
            + name
            + "' is not declared: declare it first (Collections.declare, POST /v1/collections or flowstore collections apply FILE)");
  }

  /** The collections whose parent is {@code name}. */
  static List<String> children(Dialect dialect, Connection c, String name) throws SQLException {
    List<Collection> all =
        Columns.list(
            c, new Sql(dialect, "SELECT " + COLUMNS + " FROM collections"), rs -> map(dialect, rs));
    return all.stream().filter(k -> name.equals(k.spec().parent())).map(Collection::name).toList();
  }

  private static final String TEXTS_MARKER = "full_text_ready";

  /** The stored {@code ready_fields}: the fields, and the marker while texts are being rebuilt. */
  private static JsonNode readyJson(List<IndexedField> ready, boolean fullTextReady) {
    var fields = CollectionRules.fields(ready);
    if (!fullTextReady) fields.addObject().put(TEXTS_MARKER, false);
    return fields;
  }

  /** A row's {@code ready_fields}: the ready fields, and whether the texts are (no marker). */
  private record Ready(List<IndexedField> fields, boolean fullText) {
    static Ready of(ResultSet rs) throws SQLException {
      JsonNode stored = Json.parse("stored ready_fields", rs.getString("ready_fields"));
      var fields = Json.MAPPER.createArrayNode();
      boolean fullText = true;
      for (JsonNode f : stored) {
        if (f.has(TEXTS_MARKER)) fullText = f.get(TEXTS_MARKER).asBoolean(true);
        else fields.add(f);
      }
      return new Ready(CollectionRules.fieldsFromJson(fields, "ready_fields"), fullText);
    }
  }

  private static Collection map(Dialect dialect, ResultSet rs) throws SQLException {
    Ready ready = Ready.of(rs);
    return new Collection(
        CollectionRules.fromJson(Json.stored("stored spec", rs.getString("spec"))),
        rs.getInt("version"),
        ready.fields(),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"),
        ready.fullText());
  }
}
