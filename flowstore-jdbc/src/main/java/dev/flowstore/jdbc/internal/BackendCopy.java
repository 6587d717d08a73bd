package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.BackendSwitch.CopyProgress;
import dev.flowstore.spi.BackendSwitch.CopySummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code flowstore copy}: every table of the {@link TableCatalog}, every tenant, from one SQL
 * backend to another (SQLite and PostgreSQL, either way, or to another database of the same kind),
 * with ids, versions, positions and times as they are.
 *
 * <ul>
 *   <li>The source is read in one consistent snapshot ({@link Snapshot}), as its owner.
 *   <li>Tables go in catalog order (each after those it references); within a table, tenant by
 *       tenant, rows in the table's copy order, in batches. Each batch commits with the target's
 *       {@code copy_progress} row for the table and tenant (the last key copied), so an interrupted
 *       copy resumed with {@code resume} continues after the last committed batch, neither skipping
 *       nor repeating a row.
 *   <li>Generated columns ({@code seq}) are numbered by the target in copy order; {@link
 *       TableCatalog.Copy#REBUILT} tables are rebuilt on the target from the rows they sum up
 *       ({@link #REBUILDS}); {@link TableCatalog.Copy#NEVER} tables are the target's own.
 *   <li>A target that holds rows, or another copy's progress, is refused unless resuming that copy.
 * </ul>
 *
 * <p>Writes run as the target's owner, each batch scoped to its tenant ({@link
 * Dialect#scopeOwner}): on PostgreSQL the rows pass row-level security's check like a tenant's own
 * writes; the owner needs no BYPASSRLS.
 */
final class BackendCopy {
  /**
   * How each {@link TableCatalog.Copy#REBUILT} table is rebuilt on the target, per tenant: its
   * statements, every {@code ?} the tenant. A REBUILT table missing here stops a copy before it
   * writes anything.
   */
  static final Map<String, List<String>> REBUILDS =
      Map.of(
          "event_feed_heads",
          List.of(
              "DELETE FROM event_feed_heads WHERE tenant_id = ?",
              "INSERT INTO event_feed_heads (tenant_id, last_position) SELECT tenant_id, MAX(position) FROM events WHERE tenant_id = ? GROUP BY tenant_id"));

  private record Step(String lastKey, long copied, boolean done) {}

  /**
   * A batch is committed at {@code --batch-size} rows or once its values hold about this many
   * bytes, whichever comes first, so big rows (records, payloads) do not hold a batch's worth of
   * memory many times over.
   */
  static final long MAX_BATCH_BYTES = 16L << 20;

  private static final TypeReference<List<String>> KEY = new TypeReference<>() {};

  private final JdbcFlowstore source;
  private final JdbcFlowstore target;
  private final CopyOptions options;
  private final Consumer<CopyProgress> progress;
  private final Clock clock;
  private final Map<String, Step> steps = new HashMap<>();
  private long done;
  private long total;
  private long copiedNow;

  private BackendCopy(
      JdbcFlowstore source,
      JdbcFlowstore target,
      CopyOptions options,
      Consumer<CopyProgress> progress,
      Clock clock) {
    this.source = source;
    this.target = target;
    this.options = options;
    this.progress = progress;
    this.clock = clock;
  }

  /**
   * Copies everything {@code from} holds into {@code to} (opened with its migrations applied).
   *
   * @throws FlowstoreException {@code CONFIGURATION} when either is not a SQL backend, both are the
   *     same database, the schemas differ, or the target is not empty (or holds another copy) and
   *     {@code resume} does not apply; {@code BACKEND_UNAVAILABLE} when a database fails (rerun
   *     with {@code resume}); {@code INTERNAL} when the catalog has a table copy cannot handle
   */
  static CopySummary copy(
      Flowstore from,
      Flowstore to,
      CopyOptions options,
      Consumer<CopyProgress> progress,
      Clock clock) {
    JdbcFlowstore source = Snapshot.sql(from, "source");
    JdbcFlowstore target = Snapshot.sql(to, "target");
    if (source.describe().equals(target.describe()))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "source and target are the same database (" + source.describe() + ")");
    for (TableCatalog.Table t : TableCatalog.tables())
      if (t.copy() == TableCatalog.Copy.REBUILT && !REBUILDS.containsKey(t.name()))
        throw new FlowstoreException(
            ErrorCode.INTERNAL,
            "TableCatalog marks "
                + t.name()
                + " REBUILT, but copy knows no way to rebuild it: add its statements to BackendCopy.REBUILDS");
    BackendCopy copy = new BackendCopy(source, target, options, progress, clock);
    CopySummary summary = target.system(copy::run);
    // why: the copied declarations' expression indexes are the target's own DDL, not rows
    target.ensureRecordIndexes();
    return summary;
  }

  private CopySummary run(Connection c) throws SQLException {
    Instant start = clock.instant();
    try (Snapshot snap = Snapshot.open(source)) {
      List<String> tenants = snap.tenants();
      String warning = snap.tenantWarning();
      List<String> warnings = warning == null ? List.of() : List.of(warning);
      Map<String, Object> run = readRun(c);
      if (run == null) {
        refuseIfNotEmpty(c, tenants);
        write(
            c,
            "INSERT INTO copy_runs (id, source, started_at) VALUES (1, ?, ?)",
            source.describe(),
            start);
      } else {
        String from = (String) run.get("source");
        if (!options.resume())
          throw new FlowstoreException(
              ErrorCode.CONFIGURATION,
              "the target "
                  + target.describe()
                  + " holds a copy from "
                  + from
                  + (run.get("finished") == null ? " that did not finish" : "")
                  + ": pass --resume to continue it, or copy into an empty database");
        if (!from.equals(source.describe()))
          throw new FlowstoreException(
              ErrorCode.CONFIGURATION,
              "the target holds a copy from "
                  + from
                  + ", not from "
                  + source.describe()
                  + ": resume it from that source, or copy into an empty database");
        if (run.get("finished") != null)
          return new CopySummary(
              0, 0, 0, tenants.size(), true, Duration.between(start, clock.instant()), warnings);
      }
      readSteps(c);
      List<CopyShape> shapes = new ArrayList<>();
      for (TableCatalog.Table t : TableCatalog.tables())
        if (t.copy() == TableCatalog.Copy.ROWS) shapes.add(CopyShape.of(t, snap, target, c));
      for (CopyShape shape : shapes)
        for (String tenant : tenantsOf(shape.table, tenants)) {
          total += snap.count(shape.table, tenant);
          Step s = steps.get(stepKey(shape.table.name(), tenant));
          if (s != null) done += s.copied();
        }
      int tables = 0;
      for (TableCatalog.Table t : TableCatalog.tables()) {
        switch (t.copy()) {
          case NEVER -> {
            continue;
          }
          case ROWS -> {
            CopyShape shape = shapes.stream().filter(s -> s.table == t).findFirst().orElseThrow();
            for (String tenant : tenantsOf(t, tenants)) copyRows(snap, c, shape, tenant);
          }
          case REBUILT -> {
            for (String tenant : tenants) rebuild(c, t, tenant);
          }
        }
        tables++;
      }
      c.setAutoCommit(true);
      write(c, "UPDATE copy_runs SET finished_at = ? WHERE id = 1", clock.instant());
      return new CopySummary(
          copiedNow,
          total,
          tables,
          tenants.size(),
          false,
          Duration.between(start, clock.instant()),
          warnings);
    } catch (RuntimeException | SQLException e) {
      rollback(c, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static List<String> tenantsOf(TableCatalog.Table t, List<String> tenants) {
    return t.tenantScoped() ? tenants : List.of("");
  }

  private void copyRows(Snapshot snap, Connection c, CopyShape shape, String tenant)
      throws SQLException {
    String key = stepKey(shape.table.name(), tenant);
    Step step = steps.getOrDefault(key, new Step(null, 0, false));
    if (step.done()) return;
    List<CopyShape.Column> order =
        shape.table.copyOrder().stream()
            .filter(col -> !shape.table.tenantColumn().map(col::equals).orElse(false))
            .map(shape::column)
            .toList();
    List<Object> after = step.lastKey() == null ? null : parseKey(order, step.lastKey());
    try (CopyWriter writer = CopyWriter.open(target.dialect(), c, shape);
        Snapshot.Cursor rows = snap.rows(shape, tenant, order, after, false);
        Prefetch batches = new Prefetch(rows, options.batchSize(), shape.table.name())) {
      for (Prefetch.Batch b = batches.next(); ; b = batches.next()) {
        step = commit(c, shape, tenant, writer, order, b.rows(), step, b.last());
        if (b.last()) return;
      }
    }
  }

  /**
   * Reads a table's batches on a thread of its own, at most two ahead of the writer, so reading the
   * source and writing the target overlap (each waits on its own database). A batch ends at the
   * batch size or at {@link #MAX_BATCH_BYTES}; the last one (possibly empty) says so. Closing stops
   * the reader and waits for it, so the cursor is closed only after its last use.
   */
  static final class Prefetch implements AutoCloseable {
    record Batch(List<List<Object>> rows, boolean last) {}

    private final java.util.concurrent.ArrayBlockingQueue<Object> ready =
        new java.util.concurrent.ArrayBlockingQueue<>(2);
    private final Thread reader;
    private volatile boolean stopped;

    Prefetch(Snapshot.Cursor rows, int batchSize, String table) {
      reader =
          Thread.ofPlatform()
              .name("flowstore-copy-read-" + table)
              .daemon()
              .start(() -> read(rows, batchSize));
    }

    private void read(Snapshot.Cursor rows, int batchSize) {
      try {
        List<List<Object>> batch = new ArrayList<>();
        long bytes = 0;
        List<Object> row = rows.next();
        while (row != null) {
          batch.add(row);
          bytes += size(row);
          row = rows.next();
          if (row != null && (batch.size() >= batchSize || bytes >= MAX_BATCH_BYTES)) {
            if (!put(new Batch(batch, false))) return;
            batch = new ArrayList<>();
            bytes = 0;
          }
        }
        put(new Batch(batch, true));
      } catch (SQLException | RuntimeException | Error e) {
        put(e);
      }
    }

    /** Hands {@code item} to the writer; false once the writer has stopped. */
    private boolean put(Object item) {
      try {
        while (!stopped)
          if (ready.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }

    /** The next batch, or what the reader threw. */
    Batch next() throws SQLException {
      Object item;
      try {
        item = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while reading the source", "57014", e);
      }
      return switch (item) {
        case Batch b -> b;
        case SQLException e -> throw e;
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> throw new IllegalStateException(String.valueOf(item));
      };
    }

    @Override
    public void close() {
      stopped = true;
      ready.clear();
      boolean interrupted = false;
      while (true) {
        try {
          reader.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /** About how many bytes {@code row}'s values hold in memory (texts and bytes; 8 otherwise). */
  private static long size(List<Object> row) {
    long n = 0;
    for (Object v : row)
      n += v instanceof String s ? s.length() : v instanceof byte[] b ? b.length : 8;
    return n;
  }

  /** Writes {@code batch} and the step's progress in one target transaction. */
  private Step commit(
      Connection c,
      CopyShape shape,
      String tenant,
      CopyWriter writer,
      List<CopyShape.Column> order,
      List<List<Object>> batch,
      Step step,
      boolean last)
      throws SQLException {
    c.setAutoCommit(false);
    if (!tenant.isEmpty()) target.dialect().scopeOwner(c, tenant);
    if (!batch.isEmpty()) writer.write(batch);
    String lastKey = step.lastKey();
    if (!batch.isEmpty() && !order.isEmpty()) {
      List<Object> row = batch.get(batch.size() - 1);
      List<String> values = new ArrayList<>();
      for (CopyShape.Column col : order)
        values.add(CopyShape.canonical(col, row.get(shape.read.indexOf(col))));
      lastKey = writeKey(values);
    }
    Step next = new Step(lastKey, step.copied() + batch.size(), last);
    write(
        c,
        "INSERT INTO copy_progress (table_name, tenant, last_key, copied, state) VALUES (?, ?, ?, ?, ?)"
            + " ON CONFLICT (table_name, tenant) DO UPDATE SET last_key = excluded.last_key,"
            + " copied = excluded.copied, state = excluded.state",
        shape.table.name(),
        tenant,
        Sql.text(next.lastKey()),
        next.copied(),
        last ? "done" : "running");
    c.commit();
    steps.put(stepKey(shape.table.name(), tenant), next);
    done += batch.size();
    copiedNow += batch.size();
    if (!batch.isEmpty())
      progress.accept(new CopyProgress(shape.table.name(), tenant, done, total));
    batch.clear();
    return next;
  }

  private void rebuild(Connection c, TableCatalog.Table t, String tenant) throws SQLException {
    Step step = steps.get(stepKey(t.name(), tenant));
    if (step != null && step.done()) return;
    c.setAutoCommit(false);
    target.dialect().scopeOwner(c, tenant);
    for (String sql : REBUILDS.get(t.name())) {
      Object[] params = new Object[(int) sql.chars().filter(ch -> ch == '?').count()];
      java.util.Arrays.fill(params, tenant);
      write(c, sql, params);
    }
    write(
        c,
        "INSERT INTO copy_progress (table_name, tenant, last_key, copied, state) VALUES (?, ?, NULL, 0, 'done')"
            + " ON CONFLICT (table_name, tenant) DO UPDATE SET state = 'done'",
        t.name(),
        tenant);
    c.commit();
    steps.put(stepKey(t.name(), tenant), new Step(null, 0, true));
  }

  /** Refuses a target with any row in a table a copy writes. */
  private void refuseIfNotEmpty(Connection c, List<String> sourceTenants) throws SQLException {
    List<String> tenants = new ArrayList<>(sourceTenants);
    try (Snapshot own = Snapshot.open(target)) {
      for (String t : own.tenants()) if (!tenants.contains(t)) tenants.add(t);
    }
    if (exists(c, "SELECT 1 FROM copy_progress"))
      throw notEmpty("copy_progress holds another copy's progress");
    for (TableCatalog.Table t : TableCatalog.tables()) {
      if (t.copy() == TableCatalog.Copy.NEVER) continue;
      for (String tenant : tenantsOf(t, tenants)) {
        c.setAutoCommit(false);
        if (!tenant.isEmpty()) target.dialect().scopeOwner(c, tenant);
        boolean any =
            exists(
                c,
                "SELECT 1 FROM "
                    + t.name()
                    + (tenant.isEmpty() ? "" : " WHERE " + t.tenantColumn().orElseThrow() + " = ?"),
                tenant.isEmpty() ? new Object[0] : new Object[] {tenant});
        c.rollback();
        if (any)
          throw notEmpty(
              "table " + t.name() + (tenant.isEmpty() ? "" : " has rows of tenant " + tenant));
      }
    }
    c.setAutoCommit(true);
  }

  private FlowstoreException notEmpty(String why) {
    return new FlowstoreException(
        ErrorCode.CONFIGURATION,
        "the target "
            + target.describe()
            + " is not empty ("
            + why
            + (options.resume()
                ? ") and holds no interrupted copy to resume: copy into an empty database"
                : "): copy into an empty database, or pass --resume to continue an interrupted copy into it"));
  }

  private Map<String, Object> readRun(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT source, finished_at FROM copy_runs WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) return null;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("source", rs.getString("source"));
      rs.getObject("finished_at");
      out.put("finished", rs.wasNull() ? null : Boolean.TRUE);
      return out;
    }
  }

  private void readSteps(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT table_name, tenant, last_key, copied, state FROM copy_progress");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next())
        steps.put(
            stepKey(rs.getString("table_name"), rs.getString("tenant")),
            new Step(
                rs.getString("last_key"),
                rs.getLong("copied"),
                rs.getString("state").equals("done")));
    }
  }

  private static String stepKey(String table, String tenant) {
    return table + "\u0000" + tenant;
  }

  private static String writeKey(List<String> values) {
    try {
      return Json.MAPPER.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Object> parseKey(List<CopyShape.Column> order, String text) {
    List<String> values;
    try {
      values = Json.MAPPER.readValue(text, KEY);
    } catch (JsonProcessingException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, "copy_progress holds a key that is not JSON: " + text, e);
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) out.add(CopyShape.parse(order.get(i), values.get(i)));
    return out;
  }

  private boolean exists(Connection c, String sql, Object... params) throws SQLException {
    return Columns.one(c, new Sql(target.dialect(), sql, params), rs -> true).isPresent();
  }

  private void write(Connection c, String sql, Object... params) throws SQLException {
    Columns.update(c, new Sql(target.dialect(), sql, params));
  }

  private static void rollback(Connection c, Exception e) {
    try {
      if (!c.getAutoCommit()) c.rollback();
    } catch (SQLException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
