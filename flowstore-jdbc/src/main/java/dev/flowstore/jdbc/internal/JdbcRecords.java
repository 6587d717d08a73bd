package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordRetention;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.IndexKeys;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.JsonSchemas;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.RecordChanges;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import dev.flowstore.spi.RecordVersions;
import dev.flowstore.spi.UniqueValue;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Records in SQL: the change path here, reads in {@link RecordQueries} and {@link RecordHistory},
 * index upkeep in {@link RecordIndex}. Each change, in one transaction: take the tenant's feed lock
 * (first, as every append does: one lock order), read the declaration (after the lock: see {@link
 * RecordIndex#rebuild}), check the expected version, schema, index types and unique values, write
 * the row and its index, append the event that records it at stream version = record version. Also
 * the record cache's probes ({@link RecordVersions}), and every write tells the cache, after its
 * commit, what to drop ({@link Plugins#recordWritten}).
 */
final class JdbcRecords implements Records, RecordVersions {
  static final String COLUMNS =
      "collection, record_id, data, version, parent_id, archived_at, created_at, updated_at";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Scope scope;
  private final Dialect dialect;
  private final Table<StoredRecord> rows;
  private final String actor;
  private final String traceId;

  JdbcRecords(Scope scope) {
    this(scope, null, null);
  }

  private JdbcRecords(Scope scope, String actor, String traceId) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = table(scope);
    this.actor = actor;
    this.traceId = traceId;
  }

  /** The records table of the scope's tenant. */
  static Table<StoredRecord> table(Scope scope) {
    Dialect d = scope.flowstore().dialect();
    return new Table<>(d, scope.tenant().value(), "records", COLUMNS, rs -> map(d, rs));
  }

  @Override
  public Records attributedTo(String actor, String traceId) {
    return new JdbcRecords(
        scope,
        RecordValidation.text("actor", actor, 200, false),
        RecordValidation.text("trace_id", traceId, 200, false));
  }

  @Override
  public StoredRecord create(String collection, NewRecord r) {
    CollectionRules.name("collection", collection);
    Objects.requireNonNull(r, "record");
    String id = r.id() == null ? Uuids.next().toString() : CollectionRules.id("id", r.id());
    if (r.parentId() != null) CollectionRules.id("parent_id", r.parentId());
    ObjectNode data = checkedData(r.data());
    if (!scope.ownsTransactions())
      return scope.write(c -> create(c, collection, id, r, data, false).result());
    return scope
        .flowstore()
        .transactions()
        .writeEndingWith(scope.tenant(), c -> create(c, collection, id, r, data, true));
  }

  /**
   * A create in the transaction on {@code c}. {@code scoped}: opened by {@link
   * Transactions#writeEndingWith}, its first statements carry the tenant scope and its inserts are
   * handed back to go with the {@code COMMIT}; otherwise (the caller's transaction) they are sent
   * here and nothing is handed back. Two round trips on PostgreSQL: (1) behind the scope, the feed
   * lock (the head advanced by the one event), the check of the cached declaration, whether the
   * record exists, the stream's version, the parent and the unique values' holders, in one
   * exchange; (2) every insert (record, entries, unique values, text, event) and the commit in one
   * exchange. Without a cached declaration that is still the stored one (or without a feed head
   * yet), the checks are made again, one statement after another, under the lock, with the stored
   * declaration.
   */
  private Transactions.Ending<StoredRecord> create(
      Connection c, String collection, String id, NewRecord r, ObjectNode data, boolean scoped)
      throws SQLException {
    JdbcFlowstore fs = scope.flowstore();
    Collection cached = fs.declarations.get(collection);
    Map<String, String> guessedKeys = null;
    if (cached != null) {
      try {
        guessedKeys = validate(cached.spec(), data);
      } catch (FlowstoreException e) {
        // why: the cached declaration may be older than the stored one; checked below
      }
    }
    String stream = Records.streamOf(collection, id);
    List<Sql> opening = new ArrayList<>();
    opening.add(new Sql(dialect, EventAppends.ADVANCE_HEAD, 1, tenant()));
    opening.add(JdbcCollections.checkSql(dialect, collection, cached));
    opening.add(
        rows.sql(
            "SELECT record_id FROM records WHERE tenant_id = ? AND collection = ? AND record_id = ?",
            tenant(),
            collection,
            id));
    opening.add(EventAppends.streamVersionSql(dialect, tenant(), stream));
    boolean probeParent =
        guessedKeys != null && cached.spec().parent() != null && r.parentId() != null;
    if (probeParent)
      opening.add(
          rows.sql(
              "SELECT record_id FROM records WHERE tenant_id = ? AND collection = ? AND record_id = ?",
              tenant(),
              cached.spec().parent(),
              r.parentId()));
    List<String> uniques = new ArrayList<>();
    if (guessedKeys != null)
      for (String field : cached.spec().unique()) {
        String key = guessedKeys.get(field);
        if (key == null || key.equals(IndexKeys.NULL)) continue;
        uniques.add(field);
        opening.add(RecordIndex.holderSql(dialect, tenant(), collection, field, key));
      }
    int firstUnique = probeParent ? 5 : 4;
    var got =
        new Object() {
          Long head;
          Optional<Collection> col;
          boolean exists;
          long last = -1;
          boolean parentExists;
          List<String> holders = new ArrayList<>();
        };
    Transactions.RowsReader reader =
        (i, rs) -> {
          switch (i) {
            case 0 -> got.head = rs.next() ? rs.getLong(1) : null;
            case 1 -> got.col = JdbcCollections.checked(fs, collection, cached, rs);
            case 2 -> got.exists = rs.next();
            case 3 -> got.last = rs.next() ? rs.getLong(1) : -1;
            default -> {
              if (probeParent && i == 4) got.parentExists = rs.next();
              else got.holders.add(rs.next() ? rs.getString(1) : null);
            }
          }
        };
    if (scoped) fs.transactions().openWith(c, scope.tenant(), opening, reader);
    else Transactions.eachStatement(c, opening, reader);
    CollectionSpec spec = got.col.orElseThrow(() -> JdbcCollections.notDeclared(collection)).spec();
    Map<String, String> keys;
    FeedHead locked = null;
    long last = got.last;
    if (got.head != null && guessedKeys != null && got.col.get() == cached) {
      // the bundled checks were made with the stored declaration, under the lock
      checkParent(spec, r.parentId(), () -> got.parentExists);
      keys = guessedKeys;
      if (got.exists) throw alreadyExists(collection, id);
      for (int u = 0; u < uniques.size(); u++) {
        String holder = got.holders.get(u);
        if (holder != null && !holder.equals(id))
          throw RecordIndex.uniqueTaken(spec, uniques.get(u), holder);
      }
    } else {
      if (got.head == null) locked = FeedHead.lock(c, scope); // the tenant's first write
      checkParent(spec, r.parentId(), () -> find(c, spec.parent(), r.parentId()).isPresent());
      keys = validate(spec, data);
      if (find(c, collection, id).isPresent()) throw alreadyExists(collection, id);
      RecordIndex.checkUnique(c, dialect, tenant(), spec, id, keys);
      last = EventAppends.streamVersionIn(c, dialect, tenant(), stream);
    }
    long position = locked == null ? got.head : locked.take(1) + 1;
    Instant now = fs.now();
    StoredRecord rec =
        new StoredRecord(collection, id, data, last + 1, r.parentId(), null, now, now);
    List<Sql> writes = new ArrayList<>();
    writes.add(
        rows.sql(
            "INSERT INTO records (tenant_id, collection, record_id, data, keys, version, parent_id, archived_at, created_at, updated_at) VALUES (?, ?, ?, "
                + dialect.jsonParam()
                + ", "
                + RecordIndex.keysParam(dialect)
                + ", ?, ?, ?, ?, ?)",
            tenant(),
            collection,
            id,
            Json.write(data),
            RecordIndex.keysValue(dialect, keys),
            rec.version(),
            Sql.text(r.parentId()),
            null,
            now,
            now));
    writes.addAll(RecordIndex.insertsOf(dialect, tenant(), spec, id, keys, data));
    ObjectNode payload = JSON.objectNode();
    payload.set("data", data);
    if (r.parentId() != null) payload.put("parent_id", r.parentId());
    payload.set("indexed", indexedChanges(Map.of(), keys, null, data));
    writes.add(
        EventAppends.insertOneSql(
            dialect,
            tenant(),
            stream,
            last + 1,
            position,
            EventValidation.prepare(
                    stream,
                    List.of(new EventData(null, "record.created", payload, meta(), now)),
                    fs.config().maxPayloadBytes())
                .get(0),
            now));
    Sql writeBack = locked == null ? null : locked.writeBackSql();
    if (writeBack != null) writes.add(writeBack);
    if (!scoped) {
      fs.transactions().sendAll(c, writes);
      writes = List.of();
    }
    // why: the event is inserted here, not through EventAppends, so its feed waiters are told here.
    // Both steps are registered before the inserts are sent with the COMMIT: they also run when
    // that exchange leaves the commit's outcome unknown, never when it fails.
    QueueWakeups.publishAfterCommit(fs, QueueWakeups.feedKey(tenant()));
    written(spec, id, null, data);
    return new Transactions.Ending<>(rec, writes);
  }

  private static FlowstoreException alreadyExists(String collection, String id) {
    return new FlowstoreException(
        ErrorCode.ALREADY_EXISTS,
        "record '"
            + id
            + "' of collection '"
            + collection
            + "' already exists: replace or patch it with its version, or choose another id");
  }

  @Override
  public Optional<StoredRecord> get(String collection, String id) {
    CollectionRules.address(collection, id);
    if (!dialect.roundTripBound()) {
      // why: on SQLite the statement's cost is its B-tree lookups, not a round trip, and the join
      // to the collection doubles them. A record found proves its collection declared (records'
      // foreign key); only a miss needs the statement that tells the two absences apart, which
      // reads both in one snapshot.
      List<StoredRecord> hit =
          readStatement(
              rows.sql(
                  "SELECT "
                      + COLUMNS
                      + " FROM records WHERE tenant_id = ? AND collection = ? AND record_id = ?",
                  tenant(),
                  collection,
                  id),
              rs -> map(dialect, rs));
      if (!hit.isEmpty()) return Optional.of(hit.get(0));
    }
    List<Optional<StoredRecord>> found =
        readStatement(
            byIdSql(collection, id, RECORD_COLUMNS),
            // the record's columns after "declared" (byIdSql), record_id the second of them
            rs ->
                rs.getString(3) == null
                    ? Optional.<StoredRecord>empty()
                    : Optional.of(map(dialect, rs, 2)));
    if (found.isEmpty()) throw JdbcCollections.notDeclared(collection);
    return found.get(0);
  }

  private static final String RECORD_COLUMNS =
      java.util.Arrays.stream(COLUMNS.split(", "))
          .map(c -> "r." + c)
          .collect(java.util.stream.Collectors.joining(", "));

  /**
   * The record {@code id} of {@code collection} ({@code columns} of {@code r}) and whether the
   * collection is declared, in one statement: no row, the collection is not declared; a row of
   * nulls, the record does not exist. why no declaration is needed: a record is reachable only in a
   * declared collection (records' foreign key), and the statement tells the two absences apart, so
   * a get by id is one statement (one round trip with the tenant scope on PostgreSQL).
   */
  Sql byIdSql(String collection, String id, String columns) {
    return new Sql(
        dialect,
        "SELECT c.collection AS declared, "
            + columns
            + " FROM collections c LEFT JOIN records r ON r.tenant_id = ? AND r.collection = c.collection"
            + " AND r.record_id = ? WHERE c.collection = ?",
        tenant(),
        id,
        collection);
  }

  /**
   * One statement that only reads: outside a caller's transaction a transaction of its own (on
   * PostgreSQL in one round trip with the tenant scope), inside it on the caller's connection.
   */
  private <T> List<T> readStatement(Sql sql, Columns.Mapper<T> mapper) {
    if (scope.ownsTransactions())
      return scope.flowstore().readStatement(scope.tenant(), sql, mapper);
    return scope.read(c -> Columns.list(c, sql, mapper));
  }

  @Override
  public Optional<StoredRecord> getByUnique(String collection, String pointer, Object value) {
    JsonNode v = CollectionRules.uniqueLookup(collection, pointer, value);
    List<StoredRecord> found =
        byUnique(collection, pointer, v, RECORD_COLUMNS, rs -> map(dialect, rs));
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** The key of {@code value} in the unique field {@code pointer}, ready to be looked up. */
  private static String uniqueKey(Collection col, String pointer, JsonNode value) {
    for (IndexedField f : col.spec().indexed()) {
      if (!f.pointer().equals(pointer) || !col.spec().unique().contains(pointer)) continue;
      if (!col.readyFields().contains(f))
        throw new FlowstoreException(
            ErrorCode.UNPROCESSABLE,
            "the index of "
                + pointer
                + " in collection '"
                + col.name()
                + "' is still being built; retry when the collection lists it as ready");
      return IndexKeys.ofValue(f, value); // as RecordIndex.write stores it (IndexKeys.of)
    }
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        pointer
            + " is not a unique field of collection '"
            + col.name()
            + "' (unique: "
            + col.spec().unique()
            + ")");
  }

  /**
   * The committed version: one primary-key lookup of one column (the cache probes every hit). why
   * the record alone first: the cache holds only records that were found, so a probe nearly always
   * finds its record, and a record found proves its collection declared (records' foreign key);
   * only a miss runs the statement with {@link #get}'s collection check, which tells the two
   * absences apart.
   */
  @Override
  public OptionalLong current(String collection, String id) {
    CollectionRules.address(collection, id);
    List<Long> found =
        readStatement(
            rows.sql(
                "SELECT version FROM records WHERE tenant_id = ? AND collection = ? AND record_id = ?",
                tenant(),
                collection,
                id),
            rs -> rs.getLong(1));
    if (!found.isEmpty()) return OptionalLong.of(found.get(0));
    List<OptionalLong> version =
        readStatement(
            byIdSql(collection, id, "r.version"),
            rs -> {
              long v = rs.getLong("version");
              return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
            });
    if (version.isEmpty()) throw JdbcCollections.notDeclared(collection);
    return version.get(0);
  }

  /**
   * The holder of a unique value and its committed version: one primary-key lookup of the unique
   * values joined to the record's primary key, two columns (the cache probes every hit by value).
   */
  @Override
  public Optional<Held> holder(String collection, String pointer, JsonNode value) {
    CollectionRules.name("collection", collection);
    List<Held> found =
        byUnique(
            collection,
            pointer,
            value,
            "r.record_id, r.version",
            rs -> new Held(rs.getString(1), rs.getLong(2)));
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * {@code columns} of the record holding {@code value} in the unique field {@code pointer}: the
   * unique value's primary key joined to the record's. why {@link RecordQueries#checkedRead}: the
   * key is built from the declaration (the field's type), so with the declaration cached the lookup
   * is one statement sent with the declaration's check, one round trip on PostgreSQL.
   */
  private <T> List<T> byUnique(
      String collection, String pointer, JsonNode value, String columns, Columns.Mapper<T> mapper) {
    return new RecordQueries(scope)
        .checkedRead(
            collection,
            col ->
                rows.sql(
                    "SELECT "
                        + columns
                        + " FROM record_unique_values u JOIN records r"
                        + " ON r.tenant_id = u.tenant_id AND r.collection = u.collection"
                        + " AND r.record_id = u.record_id"
                        + " WHERE u.tenant_id = ? AND u.collection = ? AND u.field = ? AND u.value = ?",
                    tenant(),
                    collection,
                    pointer,
                    uniqueKey(col, pointer, value)),
            mapper);
  }

  /**
   * Tells the cache, once this write commits, that the record changed, with the unique values it
   * held ({@code was}) and holds ({@code is}); either may be null.
   */
  private void written(CollectionSpec spec, String id, ObjectNode was, ObjectNode is) {
    List<UniqueValue> values = new ArrayList<>();
    for (String pointer : spec.unique())
      for (ObjectNode data : new ObjectNode[] {was, is}) {
        if (data == null) continue;
        JsonNode v = data.at(pointer);
        if (v.isMissingNode() || v.isNull()) continue;
        UniqueValue u = new UniqueValue(pointer, v);
        if (!values.contains(u)) values.add(u);
      }
    scope.flowstore().plugins().recordWritten(scope.tenant(), spec.name(), id, List.copyOf(values));
  }

  @Override
  public StoredRecord getAsOf(String collection, String id, long version) {
    return new RecordHistory(scope).asOf(collection, id, version);
  }

  @Override
  public List<RecordedEvent> history(String collection, String id, long fromVersion, int limit) {
    return new RecordHistory(scope).history(collection, id, fromVersion, limit);
  }

  @Override
  public RecordPage query(RecordQuery query) {
    return new RecordQueries(scope).page(query);
  }

  @Override
  public long count(RecordQuery query) {
    return new RecordQueries(scope).count(query);
  }

  @Override
  public StoredRecord replace(String collection, String id, long expectedVersion, ObjectNode data) {
    ObjectNode next = checkedData(data);
    return change(collection, id, expectedVersion, "record.replaced", cur -> next);
  }

  @Override
  public StoredRecord patch(
      String collection, String id, long expectedVersion, ObjectNode mergePatch) {
    ObjectNode patch = checkedData(mergePatch);
    return change(
        collection,
        id,
        expectedVersion,
        "record.patched",
        cur -> checkedData(RecordChanges.mergePatch(cur.data(), patch)));
  }

  @Override
  public StoredRecord archive(String collection, String id, long expectedVersion) {
    return change(collection, id, expectedVersion, "record.archived", null);
  }

  @Override
  public StoredRecord unarchive(String collection, String id, long expectedVersion) {
    return change(collection, id, expectedVersion, "record.unarchived", null);
  }

  @Override
  public void delete(String collection, String id, long expectedVersion) {
    change(collection, id, expectedVersion, "record.deleted", null);
  }

  @Override
  public int applyRetention(String collection, Instant now, int max) {
    CollectionRules.name("collection", collection);
    QueueValidation.purge("now", now, max);
    Collection col = scope.read(c -> JdbcCollections.require(dialect, c, collection));
    RecordRetention retention = col.spec().retention();
    if (retention == null) return 0;
    if (retention.onField()
        && !col.readyFields().contains(IndexedField.timestamp(retention.basis())))
      return 0; // why: its index is still being built; a later round finds it ready
    Instant cutoff = now.minus(Duration.ofDays(retention.days()));
    boolean archive = retention.action() == RecordRetention.Action.ARCHIVE;
    int done = 0;
    Due last = null;
    while (done < max) {
      Sql due = dueSql(col.spec(), retention, cutoff, last, max);
      List<Due> page = scope.read(c -> Columns.list(c, due, this::due));
      for (Due d : page) {
        try {
          if (archive) archive(collection, d.id(), d.version());
          else delete(collection, d.id(), d.version());
          done++;
        } catch (FlowstoreException e) {
          // why: changed, deleted or archived meanwhile, or it still has children: skip it
          if (e.code() != ErrorCode.VERSION_CONFLICT
              && e.code() != ErrorCode.NOT_FOUND
              && e.code() != ErrorCode.UNPROCESSABLE) throw e;
        }
        if (done == max) break;
      }
      if (page.size() < max) break;
      last = page.get(page.size() - 1);
    }
    return done;
  }

  /** A record due for retention: its id, version and the key it is ordered by. */
  record Due(String id, long version, String key) {}

  private Due due(ResultSet rs) throws SQLException {
    String key = rs.getString("sort_key");
    if (key == null) key = dialect.getTime(rs, "due_at").toString();
    return new Due(rs.getString("record_id"), rs.getLong("version"), key);
  }

  /**
   * Up to {@code max} due records after {@code after}, oldest first, through an index ({@code
   * records_created_ix} / {@code records_updated_ix}, or the basis field's expression index).
   * ARCHIVE leaves archived records out. The key column is text: an instant as ISO-8601, or the
   * index key.
   */
  Sql dueSql(CollectionSpec spec, RecordRetention r, Instant cutoff, Due after, int max) {
    String collection = spec.name();
    boolean archive = r.action() == RecordRetention.Action.ARCHIVE;
    Sql sql;
    if (!r.onField()) {
      String t = "r." + r.basis();
      sql =
          new Sql(
              dialect,
              "SELECT r.record_id, r.version, NULL AS sort_key, "
                  + t
                  + " AS due_at FROM records r WHERE r.tenant_id = ? AND r.collection = ? AND "
                  + t
                  + " <= ?",
              tenant(),
              collection,
              cutoff);
      if (archive) sql.append(" AND r.archived_at IS NULL");
      if (after != null) {
        Instant at = Instant.parse(after.key());
        sql.append(
            " AND (" + t + " > ? OR (" + t + " = ? AND r.record_id > ?))", at, at, after.id());
      }
      sql.append(" ORDER BY " + t + ", r.record_id LIMIT ?", max);
      return sql;
    }
    String upto =
        IndexKeys.ofValue(IndexedField.timestamp(r.basis()), JSON.textNode(cutoff.toString()));
    String key = RecordIndex.keyExpr(dialect, "r", spec, r.basis());
    sql =
        new Sql(
            dialect,
            "SELECT r.record_id, r.version, "
                + key
                + " AS sort_key, NULL AS due_at FROM records r WHERE r.tenant_id = ? AND r.collection = "
                + RecordIndexes.literal(collection)
                + " AND "
                + key
                + " >= ? AND "
                + key
                + " <= ?",
            tenant(),
            "t",
            upto);
    if (archive) sql.append(" AND r.archived_at IS NULL");
    if (after != null)
      sql.append(
          " AND (" + key + " > ? OR (" + key + " = ? AND r.record_id > ?))",
          after.key(),
          after.key(),
          after.id());
    sql.append(" ORDER BY " + key + ", r.record_id LIMIT ?", max);
    return sql;
  }

  /** What a replace or patch makes of the current record's data. */
  private interface NewData {
    ObjectNode of(StoredRecord current);
  }

  /**
   * One change of an existing record: {@code newData} for a data change, or null for archive,
   * unarchive and delete (told apart by {@code type}).
   */
  private StoredRecord change(
      String collection, String id, long expected, String type, NewData newData) {
    CollectionRules.address(collection, id);
    if (expected < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "expected_version must be >= 0, got " + expected);
    return scope.write(
        c -> {
          JdbcEventStore events = lockFeed(c);
          CollectionSpec spec = JdbcCollections.current(scope.flowstore(), c, collection).spec();
          StoredRecord cur =
              find(c, collection, id)
                  .orElseThrow(() -> CollectionRules.recordNotFound(collection, id));
          if (cur.version() != expected)
            throw new FlowstoreException(
                ErrorCode.VERSION_CONFLICT,
                "record '"
                    + id
                    + "' is at version "
                    + cur.version()
                    + ", expected "
                    + expected
                    + ": read it again and re-apply the change");
          Instant now = scope.flowstore().now();
          Map<String, String> before = RecordIndex.lenientKeys(spec, cur.data());
          ObjectNode payload = JSON.objectNode();
          StoredRecord next;
          String newKeys = null; // null: the keys stay (the data stays)
          switch (type) {
            case "record.deleted" -> {
              checkNoChildren(c, collection, id);
              RecordIndex.remove(c, dialect, tenant(), collection, id);
              Columns.update(
                  c,
                  rows.sql(
                      "DELETE FROM records WHERE tenant_id = ? AND collection = ? AND record_id = ? AND version = ?",
                      tenant(),
                      collection,
                      id,
                      expected));
              payload.set("indexed", indexedChanges(before, Map.of(), cur.data(), null));
              append(events, stream(cur), ExpectedVersion.exact(expected), type, payload, now);
              written(spec, id, cur.data(), null);
              return cur;
            }
            case "record.archived", "record.unarchived" -> {
              boolean archive = type.equals("record.archived");
              if (archive == cur.archived())
                throw new FlowstoreException(
                    ErrorCode.UNPROCESSABLE,
                    "record '" + id + "' is " + (archive ? "already" : "not") + " archived");
              next =
                  new StoredRecord(
                      collection,
                      id,
                      cur.data(),
                      expected + 1,
                      cur.parentId(),
                      archive ? now : null,
                      cur.createdAt(),
                      now);
            }
            default -> {
              ObjectNode data = newData.of(cur);
              Map<String, String> keys = validate(spec, data);
              RecordIndex.checkUnique(c, dialect, tenant(), spec, id, keys);
              RecordIndex.write(c, dialect, tenant(), spec, id, keys, data, false);
              newKeys = RecordIndex.keysValue(dialect, keys);
              payload.setAll(RecordChanges.diff(cur.data(), data));
              payload.set("indexed", indexedChanges(before, keys, cur.data(), data));
              next =
                  new StoredRecord(
                      collection,
                      id,
                      data,
                      expected + 1,
                      cur.parentId(),
                      cur.archivedAt(),
                      cur.createdAt(),
                      now);
            }
          }
          Columns.update(
              c,
              rows.sql(
                  "UPDATE records SET data = "
                      + dialect.jsonParam()
                      + ", keys = COALESCE("
                      + RecordIndex.keysParam(dialect)
                      + ", keys), version = ?, archived_at = ?, updated_at = ? WHERE tenant_id = ? AND collection = ? AND record_id = ? AND version = ?",
                  Json.write(next.data()),
                  Sql.text(newKeys),
                  next.version(),
                  next.archivedAt(),
                  now,
                  tenant(),
                  collection,
                  id,
                  expected));
          append(events, stream(cur), ExpectedVersion.exact(expected), type, payload, now);
          written(spec, id, cur.data(), next.data());
          return next;
        });
  }

  private static String stream(StoredRecord r) {
    return Records.streamOf(r.collection(), r.id());
  }

  private String tenant() {
    return scope.tenant().value();
  }

  private JdbcEventStore lockFeed(Connection c) throws SQLException {
    JdbcEventStore events = new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c));
    events.lockFeed(c);
    return events;
  }

  private ObjectNode checkedData(ObjectNode data) {
    RecordValidation.json("data", data, scope.flowstore().config().maxPayloadBytes(), true);
    return data.deepCopy();
  }

  /** Checks the schema and the indexed fields' types; the index keys. */
  private static Map<String, String> validate(CollectionSpec spec, ObjectNode data) {
    if (spec.schema() != null)
      JsonSchemas.validate(
          "data does not match",
          "the schema of collection '" + spec.name() + "'",
          spec.schema(),
          data);
    return RecordIndex.keys(spec, data);
  }

  /** Whether the parent record exists (asked only when the collection has a parent). */
  private interface ParentCheck {
    boolean exists() throws SQLException;
  }

  private static void checkParent(CollectionSpec spec, String parentId, ParentCheck parent)
      throws SQLException {
    if (spec.parent() == null) {
      if (parentId != null)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "parent_id: collection '" + spec.name() + "' declares no parent collection");
      return;
    }
    if (parentId == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "parent_id is required: records of '"
              + spec.name()
              + "' belong to a record of '"
              + spec.parent()
              + "'");
    if (!parent.exists())
      throw new FlowstoreException(
          ErrorCode.NOT_FOUND,
          "parent record '" + parentId + "' of collection '" + spec.parent() + "' not found");
  }

  private void checkNoChildren(Connection c, String collection, String id) throws SQLException {
    for (String child : JdbcCollections.children(dialect, c, collection)) {
      Sql any =
          rows.sql(
              "SELECT record_id FROM records WHERE tenant_id = ? AND collection = ? AND parent_id = ? LIMIT 1",
              tenant(),
              child,
              id);
      if (Columns.one(c, any, rs -> rs.getString(1)).isPresent())
        throw new FlowstoreException(
            ErrorCode.UNPROCESSABLE,
            "record '"
                + id
                + "' still has records in collection '"
                + child
                + "': delete them first");
    }
  }

  /** {@code {"/status": {"before": ..., "after": ...}}} for each indexed field that changed. */
  private static ObjectNode indexedChanges(
      Map<String, String> before, Map<String, String> after, ObjectNode was, ObjectNode is) {
    ObjectNode out = JSON.objectNode();
    java.util.Set<String> fields = new java.util.LinkedHashSet<>(before.keySet());
    fields.addAll(after.keySet());
    for (String f : fields) {
      if (Objects.equals(before.get(f), after.get(f))) continue;
      ObjectNode change = out.putObject(f);
      if (was != null) change.set("before", valueAt(was, f));
      if (is != null) change.set("after", valueAt(is, f));
    }
    return out;
  }

  private static com.fasterxml.jackson.databind.JsonNode valueAt(ObjectNode data, String pointer) {
    var v = data.at(pointer);
    return v.isMissingNode() ? JSON.nullNode() : v;
  }

  private void append(
      JdbcEventStore events,
      String stream,
      ExpectedVersion expected,
      String type,
      ObjectNode payload,
      Instant now) {
    events.append(stream, expected, List.of(new EventData(null, type, payload, meta(), now)));
  }

  /** The metadata of a record's event: who and which trace, and that records wrote it. */
  private ObjectNode meta() {
    ObjectNode meta = JSON.objectNode();
    if (traceId != null) meta.put("trace_id", traceId);
    if (actor != null) meta.put("actor", actor);
    meta.put("source", "flowstore.records");
    return meta;
  }

  /** The record as the transaction on {@code c} sees it. */
  Optional<StoredRecord> find(Connection c, String collection, String id) throws SQLException {
    return rows.one(
        c, rows.select().append(" AND collection = ? AND record_id = ?", collection, id));
  }

  static StoredRecord map(Dialect d, ResultSet rs) throws SQLException {
    return map(d, rs, 1);
  }

  /**
   * The record in the row's {@link #COLUMNS}, in their order from column {@code first}. why by
   * index: every row of a query page is mapped here, and a column found by name is a map lookup.
   */
  static StoredRecord map(Dialect d, ResultSet rs, int first) throws SQLException {
    return StoredRecord.lazy(
        rs.getString(first),
        rs.getString(first + 1),
        d.getStoredJson(rs, first + 2, "stored record"),
        rs.getLong(first + 3),
        rs.getString(first + 4),
        Columns.getTime(d, rs, first + 5),
        d.getTime(rs, first + 6),
        d.getTime(rs, first + 7));
  }
}
