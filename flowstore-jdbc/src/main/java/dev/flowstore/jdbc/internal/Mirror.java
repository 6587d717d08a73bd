package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.spi.Mirroring.CaptureState;
import dev.flowstore.spi.QueueContents;
import dev.flowstore.spi.QueueContents.StoredJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One mirror from a primary to a secondary (docs/mirror.md). A batch ({@link #step}):
 *
 * <ol>
 *   <li>opens one snapshot of the primary (as a copy reads its source) and reads in it up to a
 *       batch of {@code mirror_changes} entries, oldest first: exactly those of transactions
 *       committed before the snapshot; an entry of a transaction still in flight is not visible and
 *       not skipped either (nothing is consumed by position), it is taken by a later batch;
 *   <li>reads, in the same snapshot, the current row of every key those entries name (none: the row
 *       is gone);
 *   <li>in one secondary transaction: deletes the rows that are gone (children first), upserts the
 *       others by key (parents first; within a table and tenant in the order their changes were
 *       logged), rebuilds {@code event_feed_heads} for the tenants whose events changed, and
 *       advances {@code mirror_state};
 *   <li>then deletes the entries it applied from the primary's log.
 * </ol>
 *
 * A failure anywhere leaves the entries on the primary, and the next batch applies the rows' state
 * again: idempotent (by key, the current state), so a replay converges without a duplicate.
 */
final class Mirror implements Mirroring.Link {
  /** Tables whose rows the secondary replaces (delete and insert), never updates in place. */
  // why: SQLite's record_texts refuses an UPDATE of its text (its FTS5 triggers index inserts and
  // deletes only); the engine itself replaces a text by delete and insert
  private static final Set<String> REPLACED = Set.of("record_texts");

  /**
   * Rows of a table and tenant from which a PostgreSQL secondary gets them by COPY rather than
   * bound statements (a few go faster bound than through a staging table).
   */
  private static final int COPY_AT_LEAST = 32;

  /** Keys fetched from the primary per query. */
  private static final int FETCH_KEYS = 100;

  /** The store's tables of the queue. */
  static final Set<String> QUEUE_TABLES = Set.of("jobs", "job_attempts");

  private record Entry(long id, String table, String tenant, String key) {}

  /** A row to write or delete on the secondary: its tenant, key values, and row (null: gone). */
  private record Change(String tenant, List<Object> key, List<Object> row) {}

  private final JdbcFlowstore source;
  private final JdbcFlowstore target;
  private final int batchSize;
  private final Set<String> skipped;
  private final QueueContents targetQueue;
  private final Map<String, CopyShape> shapes = new HashMap<>();
  private boolean checked;

  /**
   * @param skipped tables whose logged changes are dropped, not applied: {@code jobs} and {@code
   *     job_attempts} when the primary's queue is outside its SQL store ({@link QueueMirror}
   *     carries the jobs from there; the store's own rows of them are not what the queue serves)
   * @param targetQueue the secondary's queue when it is outside its store (the Redis queue), else
   *     null: the primary's jobs go there (see {@link #readQueueJobs}), not into the store's tables
   */
  Mirror(
      JdbcFlowstore source,
      JdbcFlowstore target,
      int batchSize,
      Set<String> skipped,
      QueueContents targetQueue) {
    if (batchSize < 1)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "batch size: at least 1");
    if (source.describe().equals(target.describe()))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "primary and secondary are the same database (" + source.describe() + ")");
    this.source = source;
    this.target = target;
    this.batchSize = batchSize;
    this.skipped = skipped;
    this.targetQueue = targetQueue;
  }

  /**
   * Refuses, before anything is written, a secondary that holds no copy of this primary or a
   * primary that logs nothing ({@code CONFIGURATION}); done once, also by the first {@link #step}.
   */
  void check() {
    if (checked) return;
    try (Snapshot snap = Snapshot.open(source)) {
      check(snap);
    } catch (SQLException e) {
      throw SqlErrors.translate(source.dialect(), "reading the primary's changes", e);
    }
  }

  @Override
  public CaptureState state() {
    return MirrorCapture.state(source);
  }

  @Override
  public Mirroring.Step step() {
    return MirrorLock.around(target, this::stepLocked);
  }

  /** A batch, the secondary's mirror lock held by the caller ({@link MirrorLock}). */
  Mirroring.Step stepLocked() {
    boolean full;
    List<Entry> entries = new ArrayList<>();
    Map<String, List<Change>> changes = new LinkedHashMap<>();
    Map<String, QueueJobs> queueJobs = new LinkedHashMap<>();
    try (Snapshot snap = Snapshot.open(source)) {
      if (!checked) check(snap);
      full = readEntries(snap, entries);
      if (entries.isEmpty())
        return new Mirroring.Step(0, 0, 0, 0, java.util.Optional.empty(), false);
      readRows(snap, entries, changes, queueJobs);
    } catch (SQLException e) {
      throw SqlErrors.translate(source.dialect(), "reading the primary's changes", e);
    }
    int[] counts = target.system(c -> apply(c, entries, changes));
    // why after the store's commit: a DLQ item the store holds names a job the queue has by now;
    // a failure here leaves the log untrimmed, and the batch is applied again (by key, the same)
    for (Map.Entry<String, QueueJobs> q : queueJobs.entrySet()) {
      int[] r =
          targetQueue.replace(
              new dev.flowstore.TenantId(q.getKey()), q.getValue().current, q.getValue().gone);
      counts[0] += r[0];
      counts[1] += r[1];
    }
    CaptureState after = MirrorCapture.consumed(source, entries.stream().map(Entry::id).toList());
    return new Mirroring.Step(
        entries.size(), counts[0], counts[1], after.pending(), after.oldest(), full);
  }

  /** Refuses a secondary that holds no copy of this primary, or a primary that logs nothing. */
  private void check(Snapshot snap) throws SQLException {
    if (MirrorCapture.triggers(source, snap.connection) < 3L * MirrorCapture.tables().size())
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "the primary "
              + source.describe()
              + " does not capture its changes: start the window with flowstore mirror capture on,"
              + " then copy, then mirror");
    target.system(
        c -> {
          String mirrored =
              Columns.one(
                      c,
                      new Sql(target.dialect(), "SELECT source FROM mirror_state WHERE id = 1"),
                      rs -> rs.getString(1))
                  .orElse(null);
          if (mirrored != null && !mirrored.equals(source.describe()))
            throw new FlowstoreException(
                ErrorCode.CONFIGURATION,
                "the secondary "
                    + target.describe()
                    + " mirrors "
                    + mirrored
                    + ", not "
                    + source.describe());
          if (mirrored == null) {
            List<String> copy =
                Columns.one(
                        c,
                        new Sql(
                            target.dialect(),
                            "SELECT source, finished_at FROM copy_runs WHERE id = 1"),
                        rs -> {
                          String from = rs.getString(1);
                          rs.getObject(2);
                          return Arrays.asList(from, rs.wasNull() ? null : "done");
                        })
                    .orElse(null);
            if (copy == null || !source.describe().equals(copy.get(0)) || copy.get(1) == null)
              throw new FlowstoreException(
                  ErrorCode.CONFIGURATION,
                  "the secondary "
                      + target.describe()
                      + " holds no finished copy of "
                      + source.describe()
                      + ": after flowstore mirror capture on, copy the primary into it (flowstore"
                      + " copy), then mirror");
          }
          for (TableCatalog.Table t : MirrorCapture.tables())
            if (!shapes.containsKey(t.name()))
              shapes.put(t.name(), CopyShape.of(t, snap, target, c));
          return null;
        });
    checked = true;
  }

  /**
   * The oldest entries, up to {@link #batchSize} rows: a range of events counts as its events, so a
   * mirror that is behind does not build a secondary transaction of {@code batchSize} ranges of
   * hundreds of events each (at least one entry is always taken). Returns whether the batch is full
   * (more entries wait).
   */
  private boolean readEntries(Snapshot snap, List<Entry> entries) throws SQLException {
    long rows = 0;
    try (PreparedStatement ps =
        snap.connection.prepareStatement(
            "SELECT id, table_name, tenant, row_key FROM mirror_changes ORDER BY id LIMIT ?")) {
      ps.setInt(1, batchSize);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Entry e = new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
          long n = 1;
          if (e.table().equals(MirrorCapture.EVENT_RANGE)) {
            JsonNode r = Json.parse("mirror_changes.row_key", e.key());
            n = Math.max(1, r.get(1).asLong() - r.get(0).asLong() + 1);
          }
          if (!entries.isEmpty() && rows + n > batchSize) return true;
          entries.add(e);
          rows += n;
        }
      }
    }
    return entries.size() == batchSize;
  }

  /** Per table (catalog order): each key once, tenant by tenant, in the order first logged. */
  private void readRows(
      Snapshot snap,
      List<Entry> entries,
      Map<String, List<Change>> changes,
      Map<String, QueueJobs> queueJobs)
      throws SQLException {
    // tenant -> ids of jobs changed (jobs or job_attempts), when the secondary's queue is Redis
    Map<String, LinkedHashSet<UUID>> jobIds = new LinkedHashMap<>();
    Map<String, Map<String, LinkedHashSet<String>>> keys = new HashMap<>();
    // tenant -> [first, last] position ranges of inserted events (SQLite's capture)
    Map<String, List<long[]>> ranges = new LinkedHashMap<>();
    for (Entry e : entries) {
      if (e.table().equals(MirrorCapture.EVENT_RANGE)) {
        JsonNode r = Json.parse("mirror_changes.row_key", e.key());
        ranges
            .computeIfAbsent(e.tenant(), k -> new ArrayList<>())
            .add(new long[] {r.get(0).asLong(), r.get(1).asLong()});
        keys.computeIfAbsent("events", k -> new LinkedHashMap<>())
            .computeIfAbsent(e.tenant(), k -> new LinkedHashSet<>());
        continue;
      }
      if (skipped.contains(e.table())) continue;
      if (targetQueue != null && QUEUE_TABLES.contains(e.table())) {
        JsonNode key = Json.parse("mirror_changes.row_key", e.key());
        jobIds
            .computeIfAbsent(e.tenant(), k -> new LinkedHashSet<>())
            .add(UUID.fromString(key.get(0).asText()));
        continue;
      }
      if (!shapes.containsKey(e.table()))
        throw new FlowstoreException(
            ErrorCode.CONFIGURATION,
            "the primary logged a change to table "
                + e.table()
                + ", which this version does not mirror");
      keys.computeIfAbsent(e.table(), k -> new LinkedHashMap<>())
          .computeIfAbsent(e.tenant(), k -> new LinkedHashSet<>())
          .add(e.key());
    }
    for (TableCatalog.Table t : MirrorCapture.tables()) {
      Map<String, LinkedHashSet<String>> byTenant = keys.get(t.name());
      if (byTenant == null) continue;
      CopyShape shape = shapes.get(t.name());
      List<CopyShape.Column> keyColumns =
          MirrorCapture.loggedKey(t).stream().map(shape::column).toList();
      int[] keyAt = keyColumns.stream().mapToInt(shape.read::indexOf).toArray();
      String select =
          "SELECT "
              + shape.read.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "))
              + " FROM "
              + t.name();
      List<Change> out = new ArrayList<>();
      for (Map.Entry<String, LinkedHashSet<String>> tk : byTenant.entrySet()) {
        String tenant = tk.getKey();
        snap.scope(tenant);
        List<List<Object>> all = new ArrayList<>();
        for (String text : tk.getValue()) all.add(parseKey(keyColumns, text));
        if (t.name().equals("events")) {
          // why: ranges may overlap (an append gave positions back, a later one took them);
          // a key twice in one batch would be one upsert twice in one statement
          Map<String, Change> seen = new LinkedHashMap<>();
          for (long[] range : merged(ranges.getOrDefault(tenant, List.of())))
            for (Change ch : eventRange(snap, shape, tenant, range))
              seen.putIfAbsent(canonical(keyColumns, ch.key()), ch);
          for (List<Object> key : all) seen.remove(canonical(keyColumns, key));
          out.addAll(seen.values());
        }
        // why: up to FETCH_KEYS keys per query, not one round trip per key
        for (int from = 0; from < all.size(); from += FETCH_KEYS) {
          List<List<Object>> chunk = all.subList(from, Math.min(all.size(), from + FETCH_KEYS));
          Map<String, List<Object>> found = new HashMap<>();
          try (PreparedStatement ps =
              snap.connection.prepareStatement(select + whereAny(t, keyColumns, chunk.size()))) {
            int i = 1;
            if (t.tenantScoped()) ps.setString(i++, tenant);
            if (!keyColumns.isEmpty())
              for (List<Object> key : chunk)
                for (int k = 0; k < keyColumns.size(); k++)
                  CopyShape.bind(source.dialect(), ps, i++, keyColumns.get(k), key.get(k));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                List<Object> row = new ArrayList<>(shape.read.size());
                for (CopyShape.Column c : shape.read)
                  row.add(CopyShape.read(source.dialect(), rs, c));
                List<Object> key = new ArrayList<>(keyAt.length);
                for (int k : keyAt) key.add(row.get(k));
                found.put(canonical(keyColumns, key), row);
              }
            }
          }
          for (List<Object> key : chunk)
            out.add(new Change(tenant, key, found.get(canonical(keyColumns, key))));
        }
      }
      changes.put(t.name(), out);
    }
    if (!jobIds.isEmpty()) readQueueJobs(snap, jobIds, changes, queueJobs);
  }

  /** The jobs a batch carries into a secondary's queue outside its store: current and gone. */
  static final class QueueJobs {
    final List<StoredJob> current = new ArrayList<>();
    final List<UUID> gone = new ArrayList<>();
  }

  /**
   * Into a secondary on the Redis queue: each changed job's current state (with its attempts), or
   * its absence, for the queue; and for the secondary store, what a store beside a Redis queue
   * keeps of the queue (docs/switching.md "Which parts live where"): the row and attempts of a job
   * with a DLQ item, and no row of any other.
   */
  private void readQueueJobs(
      Snapshot snap,
      Map<String, LinkedHashSet<UUID>> jobIds,
      Map<String, List<Change>> changes,
      Map<String, QueueJobs> queueJobs)
      throws SQLException {
    Dialect d = source.dialect();
    CopyShape jobs = shapes.get("jobs");
    CopyShape attempts = shapes.get("job_attempts");
    CopyShape.Column jobId = jobs.column("job_id");
    List<Change> jobRows = changes.computeIfAbsent("jobs", k -> new ArrayList<>());
    List<Change> attemptRows = changes.computeIfAbsent("job_attempts", k -> new ArrayList<>());
    for (Map.Entry<String, LinkedHashSet<UUID>> te : jobIds.entrySet()) {
      String tenant = te.getKey();
      snap.scope(tenant);
      QueueJobs out = queueJobs.computeIfAbsent(tenant, k -> new QueueJobs());
      List<UUID> all = new ArrayList<>(te.getValue());
      for (int from = 0; from < all.size(); from += FETCH_KEYS) {
        List<UUID> chunk = all.subList(from, Math.min(all.size(), from + FETCH_KEYS));
        List<StoredJob> found =
            JdbcQueueContents.byIds(snap.connection, d, new dev.flowstore.TenantId(tenant), chunk);
        Set<UUID> present = new java.util.HashSet<>();
        for (StoredJob j : found) present.add(j.job().jobId());
        out.current.addAll(found);
        for (UUID id : chunk) if (!present.contains(id)) out.gone.add(id);
        Set<UUID> dead =
            new java.util.HashSet<>(
                Columns.list(
                    snap.connection,
                    inList(
                        new Sql(
                            d,
                            "SELECT job_id FROM dlq_items WHERE tenant_id = ? AND job_id IN (",
                            tenant),
                        chunk),
                    rs -> d.getUuid(rs, "job_id")));
        for (UUID id : chunk)
          if (!dead.contains(id))
            jobRows.add(new Change(tenant, List.of(CopyShape.parse(jobId, id.toString())), null));
        List<UUID> kept = chunk.stream().filter(dead::contains).toList();
        if (kept.isEmpty()) continue;
        for (List<Object> row : rowsOf(snap, jobs, tenant, kept))
          jobRows.add(new Change(tenant, List.of(row.get(jobs.read.indexOf(jobId))), row));
        List<CopyShape.Column> attemptKey =
            MirrorCapture.loggedKey(attempts.table).stream().map(attempts::column).toList();
        for (List<Object> row : rowsOf(snap, attempts, tenant, kept)) {
          List<Object> key = new ArrayList<>();
          for (CopyShape.Column k : attemptKey) key.add(row.get(attempts.read.indexOf(k)));
          attemptRows.add(new Change(tenant, key, row));
        }
      }
    }
  }

  private static Sql inList(Sql q, List<UUID> ids) {
    for (int i = 0; i < ids.size(); i++) q.append(i == 0 ? "?" : ", ?", ids.get(i));
    return q.append(")");
  }

  /** The rows of {@code shape}'s table of these jobs, as the shape reads them. */
  private List<List<Object>> rowsOf(Snapshot snap, CopyShape shape, String tenant, List<UUID> ids)
      throws SQLException {
    String cols = shape.read.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "));
    Sql q =
        inList(
            new Sql(
                source.dialect(),
                "SELECT "
                    + cols
                    + " FROM "
                    + shape.table.name()
                    + " WHERE tenant_id = ? AND job_id IN (",
                tenant),
            ids);
    return Columns.list(
        snap.connection,
        q,
        rs -> {
          List<Object> row = new ArrayList<>(shape.read.size());
          for (CopyShape.Column c : shape.read) row.add(CopyShape.read(source.dialect(), rs, c));
          return row;
        });
  }

  /**
   * The ranges sorted, those that overlap or touch made one: consecutive appends' ranges are one
   * query, not one each.
   */
  static List<long[]> merged(List<long[]> ranges) {
    List<long[]> sorted = new ArrayList<>(ranges);
    sorted.sort(java.util.Comparator.comparingLong(r -> r[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] r : sorted) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else out.add(new long[] {r[0], r[1]});
    }
    return out;
  }

  /** The events of {@code tenant} in a range of positions, each a change to upsert. */
  private List<Change> eventRange(Snapshot snap, CopyShape shape, String tenant, long[] range)
      throws SQLException {
    List<Change> out = new ArrayList<>();
    CopyShape.Column position = shape.column("position");
    try (PreparedStatement ps =
        snap.connection.prepareStatement(
            "SELECT "
                + shape.read.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "))
                + " FROM events WHERE tenant_id = ? AND position BETWEEN ? AND ? ORDER BY position")) {
      ps.setString(1, tenant);
      ps.setLong(2, range[0]);
      ps.setLong(3, range[1]);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>(shape.read.size());
          for (CopyShape.Column c : shape.read) row.add(CopyShape.read(source.dialect(), rs, c));
          out.add(new Change(tenant, List.of(row.get(shape.read.indexOf(position))), row));
        }
      }
    }
    return out;
  }

  /** The condition for {@code n} keys of one tenant: an IN list, or ORed key equalities. */
  private static String whereAny(TableCatalog.Table t, List<CopyShape.Column> keyColumns, int n) {
    List<String> conditions = new ArrayList<>();
    t.tenantColumn().ifPresent(col -> conditions.add(col + " = ?"));
    if (keyColumns.size() == 1)
      conditions.add(
          keyColumns.get(0).name()
              + " IN ("
              + String.join(", ", java.util.Collections.nCopies(n, "?"))
              + ")");
    else if (!keyColumns.isEmpty()) {
      String one =
          "("
              + keyColumns.stream().map(c -> c.name() + " = ?").collect(Collectors.joining(" AND "))
              + ")";
      conditions.add("(" + String.join(" OR ", java.util.Collections.nCopies(n, one)) + ")");
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private static String canonical(List<CopyShape.Column> keyColumns, List<Object> key) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < keyColumns.size(); k++)
      b.append(CopyShape.canonical(keyColumns.get(k), key.get(k))).append('\u0000');
    return b.toString();
  }

  private static String where(TableCatalog.Table t, List<CopyShape.Column> keyColumns) {
    List<String> conditions = new ArrayList<>();
    t.tenantColumn().ifPresent(col -> conditions.add(col + " = ?"));
    for (CopyShape.Column c : keyColumns) conditions.add(c.name() + " = ?");
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private static List<Object> parseKey(List<CopyShape.Column> columns, String text) {
    JsonNode array = Json.parse("mirror_changes.row_key", text);
    if (!array.isArray() || array.size() != columns.size())
      throw new FlowstoreException(
          ErrorCode.INTERNAL, "mirror_changes holds a key that does not fit its table: " + text);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      JsonNode v = array.get(i);
      out.add(v.isNull() ? null : CopyShape.parse(columns.get(i), v.asText()));
    }
    return out;
  }

  /** Applies the batch in one secondary transaction: {upserted, deleted}. */
  private int[] apply(Connection c, List<Entry> entries, Map<String, List<Change>> changes)
      throws SQLException {
    Dialect d = target.dialect();
    int upserted = 0;
    int deleted = 0;
    c.setAutoCommit(false);
    try {
      List<TableCatalog.Table> tables = MirrorCapture.tables();
      // gone rows: children first
      for (int k = tables.size() - 1; k >= 0; k--) {
        TableCatalog.Table t = tables.get(k);
        List<Change> list = changes.get(t.name());
        if (list == null) continue;
        List<Change> gone = list.stream().filter(ch -> ch.row() == null).toList();
        if (!gone.isEmpty()) deleted += delete(c, t, gone);
      }
      Set<String> eventTenants = new LinkedHashSet<>();
      // the staging COPY writers of this transaction, by table (a PostgreSQL secondary)
      Map<String, CopyWriter.PostgresCopy> copies = new HashMap<>();
      for (TableCatalog.Table t : tables) {
        List<Change> list = changes.get(t.name());
        if (list == null) continue;
        List<Change> present = list.stream().filter(ch -> ch.row() != null).toList();
        if (t.name().equals("events")) list.forEach(ch -> eventTenants.add(ch.tenant()));
        if (present.isEmpty()) continue;
        if (REPLACED.contains(t.name())) delete(c, t, present);
        upserted += upsert(c, t, present, copies);
      }
      for (String tenant : eventTenants) {
        d.scopeOwner(c, tenant);
        for (String sql : BackendCopy.REBUILDS.get("event_feed_heads")) {
          Object[] params = new Object[(int) sql.chars().filter(ch -> ch == '?').count()];
          Arrays.fill(params, tenant);
          Columns.update(c, new Sql(d, sql, params));
        }
      }
      Columns.update(
          c,
          new Sql(
              d,
              "INSERT INTO mirror_state (id, source, applied_entries, last_entry, applied_at)"
                  + " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                  + " applied_entries = mirror_state.applied_entries + excluded.applied_entries,"
                  + " last_entry = excluded.last_entry, applied_at = excluded.applied_at",
              source.describe(),
              (long) entries.size(),
              entries.get(entries.size() - 1).id(),
              target.now()));
      c.commit();
      return new int[] {upserted, deleted};
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private int delete(Connection c, TableCatalog.Table t, List<Change> gone) throws SQLException {
    CopyShape shape = shapes.get(t.name());
    List<CopyShape.Column> keyColumns =
        MirrorCapture.loggedKey(t).stream().map(shape::column).toList();
    int n = 0;
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + t.name() + where(t, keyColumns))) {
      String scoped = null;
      for (Change ch : gone) {
        if (!ch.tenant().equals(scoped)) {
          if (t.tenantScoped()) target.dialect().scopeOwner(c, ch.tenant());
          scoped = ch.tenant();
        }
        int i = 1;
        if (t.tenantScoped()) ps.setString(i++, ch.tenant());
        for (int k = 0; k < keyColumns.size(); k++)
          CopyShape.bind(target.dialect(), ps, i++, keyColumns.get(k), ch.key().get(k));
        n += ps.executeUpdate();
      }
    }
    return n;
  }

  private int upsert(
      Connection c,
      TableCatalog.Table t,
      List<Change> present,
      Map<String, CopyWriter.PostgresCopy> copies)
      throws SQLException {
    CopyShape shape = shapes.get(t.name());
    Dialect d = target.dialect();
    List<String> updated =
        shape.copied.stream()
            .map(CopyShape.Column::name)
            .filter(n -> !t.key().contains(n))
            .toList();
    String conflict =
        "ON CONFLICT ("
            + String.join(", ", t.key())
            + ") DO "
            + (updated.isEmpty()
                ? "NOTHING"
                : "UPDATE SET "
                    + updated.stream()
                        .map(n -> n + " = excluded." + n)
                        .collect(Collectors.joining(", "))
                    // why: a row that is already so is not updated: an update would fire the
                    // secondary's own triggers (PostgreSQL's flowstore_touch_updated_at moves an
                    // unchanged updated_at to now), and a replay must leave the row as it is
                    + " WHERE ("
                    + updated.stream()
                        .map(n -> t.name() + "." + n)
                        .collect(Collectors.joining(", "))
                    + (d instanceof PostgresDialect ? ") IS DISTINCT FROM (" : ") IS NOT (")
                    + updated.stream().map(n -> "excluded." + n).collect(Collectors.joining(", "))
                    + ")");
    // why: into PostgreSQL, a tenant's rows of a table as one COPY and one INSERT ... SELECT:
    // parsed once, not bound value by value (the rows a batch carries are the mirror's main cost
    // on the secondary); a group COPY's text cannot carry is bound as below
    List<Change> bound = present;
    if (present.size() >= COPY_AT_LEAST
        && d instanceof PostgresDialect
        && c.isWrapperFor(org.postgresql.PGConnection.class)) {
      bound = new ArrayList<>();
      CopyWriter.PostgresCopy copy = copies.get(t.name());
      if (copy == null) {
        copy = new CopyWriter.PostgresCopy(d, c, shape);
        copies.put(t.name(), copy);
      }
      List<CopyShape.Column> keyColumns =
          MirrorCapture.loggedKey(t).stream().map(shape::column).toList();
      for (int from = 0; from < present.size(); ) {
        String tenant = present.get(from).tenant();
        int to = from;
        while (to < present.size() && present.get(to).tenant().equals(tenant)) to++;
        // why: one INSERT may not change a row twice; a key logged twice is one change already,
        // this only makes sure of it (the last state wins, as it would bound one by one)
        Map<String, List<Object>> rows = new LinkedHashMap<>();
        for (Change ch : present.subList(from, to))
          rows.put(canonical(keyColumns, ch.key()), ch.row());
        if (t.tenantScoped()) d.scopeOwner(c, tenant);
        if (!copy.upsert(new ArrayList<>(rows.values()), conflict))
          bound.addAll(present.subList(from, to));
        from = to;
      }
      if (bound.isEmpty()) return present.size();
    }
    String sql =
        "INSERT INTO "
            + t.name()
            + " ("
            + shape.copied.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "))
            + ") VALUES ("
            + shape.copied.stream()
                .map(col -> CopyShape.placeholder(d, col))
                .collect(Collectors.joining(", "))
            + ") "
            + conflict;
    // each copied column's index in a row, once per table rather than per value
    int[] at = shape.copied.stream().mapToInt(shape.read::indexOf).toArray();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      String scoped = null;
      for (Change ch : bound) {
        if (!ch.tenant().equals(scoped)) {
          // why: the scope is the transaction's setting, so the batch so far goes first
          if (scoped != null) ps.executeBatch();
          if (t.tenantScoped()) d.scopeOwner(c, ch.tenant());
          scoped = ch.tenant();
        }
        List<Object> row = ch.row();
        for (int k = 0; k < at.length; k++)
          CopyShape.bind(d, ps, k + 1, shape.copied.get(k), row.get(at[k]));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return present.size();
  }
}
