package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.IndexedField;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.NewSession;
import dev.flowstore.Queue;
import dev.flowstore.Records;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.internal.TableCatalog;
import dev.flowstore.spi.BackendSwitch;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Row 11, backend copy (issue 13): {@code flowstore copy} of a SQLite store holding a realistic mix
 * (events, sessions, succeeded jobs with their attempts, records (their index keys in their rows))
 * into PostgreSQL, beside pgloader loading the same SQLite file into a schema of its own; then the
 * copy back from PostgreSQL into a new SQLite store, beside a raw JDBC batch copy (multi-row
 * prepared INSERTs, big transactions) of the same rows. Both copies back are compared with the
 * source.
 */
final class CopyRows {
  static final TenantId TENANT = AppendRows.TENANT;
  static final String COLLECTION = "orders";
  static final int STATUSES = 10;

  /** Rows per transaction of the raw JDBC copy into SQLite. */
  static final int RAW_COMMIT_ROWS = 10_000;

  private final Env env;
  private final Settings s;

  CopyRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row11(Consumer<Row> out) throws Exception {
    int n = s.copyEvents();
    Path source = Env.tempDir("bench-copy-src");
    Path back = Env.tempDir("bench-copy-back");
    Path raw = Env.tempDir("bench-copy-raw");
    String fsSchema = Env.newName("bench_fs");
    String pglSchema = Env.newName("bench_pgl");
    try {
      long t0 = System.nanoTime();
      long rows = seed(source, n);
      String mix =
          String.format(
              Locale.ROOT,
              "%s events, %s sessions, %s jobs + attempts, %s records: %,d rows",
              GrowthRows.compact(n),
              GrowthRows.compact(n / 20),
              GrowthRows.compact(n / 10),
              GrowthRows.compact(n / 10),
              rows);
      System.err.printf(
          Locale.ROOT, "bench: row 11 seeded %s in %.1f s%n", mix, (System.nanoTime() - t0) / 1e9);

      double[] in =
          copy(Env.flowstoreSqlite(source, Map.of()), env.flowstorePg(fsSchema, 4, Map.of()));
      double fsIn = in[0] / in[1];
      perMillion("flowstore copy SQLite -> PostgreSQL", in);
      String inScenario = "copy SQLite -> PostgreSQL, " + mix + ": flowstore copy vs pgloader";
      Double pgl = pgloader(source.resolve("flowstore.db"), pglSchema, rows);
      if (pgl == null)
        out.accept(
            Row.notAvailable(
                "11",
                inScenario,
                Row.rate(fsIn, "rows/s"),
                "pgloader not installed (apt-get install pgloader)"));
      else out.accept(Row.throughput("11", inScenario, fsIn, pgl, "rows/s"));

      double[] outFs =
          copy(env.flowstorePg(fsSchema, 4, Map.of()), Env.flowstoreSqlite(back, Map.of()));
      perMillion("flowstore copy PostgreSQL -> SQLite", outFs);
      double rawRate = rawCopy(fsSchema, raw, rows);
      out.accept(
          Row.throughput(
              "11",
              "copy PostgreSQL -> SQLite, "
                  + mix
                  + ": flowstore copy vs raw JDBC (multi-row INSERT, "
                  + RAW_COMMIT_ROWS / 1000
                  + "k rows/commit)",
              outFs[0] / outFs[1],
              rawRate,
              "rows/s"));

      compareRoundTrip(source, back, "flowstore copy");
      compareRoundTrip(source, raw, "raw JDBC copy");
    } finally {
      env.dropSchema(fsSchema);
      env.dropSchema(pglSchema);
      Env.deleteTree(source);
      Env.deleteTree(back);
      Env.deleteTree(raw);
    }
  }

  private static void perMillion(String what, double[] rowsSeconds) {
    System.err.printf(
        Locale.ROOT,
        "bench: row 11 %s: %,.0f rows in %.1f s, %,.0f rows/s, %.0f s per million rows%n",
        what,
        rowsSeconds[0],
        rowsSeconds[1],
        rowsSeconds[0] / rowsSeconds[1],
        rowsSeconds[1] / rowsSeconds[0] * 1e6);
  }

  /** {rows, seconds} of {@code flowstore copy} from one store into a new one. */
  private static double[] copy(
      dev.flowstore.FlowstoreConfig from, dev.flowstore.FlowstoreConfig to) {
    try (Flowstore a = Flowstore.open(from);
        Flowstore b = Flowstore.open(to)) {
      BackendSwitch sw = BackendSwitch.find(a, b);
      long t0 = System.nanoTime();
      BackendSwitch.CopySummary sum =
          sw.copy(
              a,
              b,
              new BackendSwitch.CopyOptions(false, defaultBatch()),
              p -> {},
              Clock.systemUTC());
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (sum.rows() != sum.total())
        throw new IllegalStateException("row 11: copied " + sum.rows() + " of " + sum.total());
      return new double[] {sum.rows(), seconds};
    }
  }

  /** The CLI's default {@code --batch-size}. */
  static int defaultBatch() {
    return Integer.getInteger("bench.copyBatch", 10_000);
  }

  /** Compares the round trip's SQLite store with the source, and times it. */
  private void compareRoundTrip(Path source, Path copy, String what) {
    try (Flowstore a = Flowstore.open(Env.flowstoreSqlite(source, Map.of()));
        Flowstore b = Flowstore.open(Env.flowstoreSqlite(copy, Map.of()))) {
      long t0 = System.nanoTime();
      BackendSwitch.Comparison c = BackendSwitch.find(a, b).compare(a, b, 5);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long rows = c.tables().stream().mapToLong(BackendSwitch.TableComparison::countA).sum();
      if (!c.equal())
        throw new IllegalStateException(
            "row 11: the "
                + what
                + " back into SQLite differs from the source: "
                + c.tables().stream().filter(t -> !t.equal()).toList());
      System.err.printf(
          Locale.ROOT,
          "bench: row 11 compare source vs %s back: equal, %,d rows in %.1f s (%.0f s per million"
              + " rows)%n",
          what,
          rows,
          seconds,
          seconds / rows * 1e6);
    }
  }

  // --- the source ---------------------------------------------------------------------------

  /**
   * A SQLite store in {@code dir}: templates written through flowstore's API (one event, a session,
   * a job enqueued, leased and acked, a collection with an indexed field and {@link #STATUSES}
   * records), then cloned with set-based {@code INSERT ... SELECT} over a recursive counter into
   * flowstore's own tables: {@code n} events (10 per stream), n/20 sessions, n/10 succeeded jobs
   * with their attempt rows, n/10 records (their index keys in their rows). Ids are time-ordered
   * like flowstore's UUIDv7s.
   *
   * @return the rows of the catalog's copied tables
   */
  private static long seed(Path dir, int n) throws SQLException {
    try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(dir, Map.of()))) {
      ObjectNode payload = Env.payload();
      fs.events(TENANT)
          .append("tpl", ExpectedVersion.NO_STREAM, List.of(EventData.of("order.placed", payload)));
      fs.sessions(TENANT)
          .create(
              NewSession.builder()
                  .initialState("review")
                  .state(payload)
                  .params(Env.payload())
                  .build());
      Queue q = fs.queue(TENANT);
      q.enqueue(NewJob.of("mail", "noop", payload));
      Lease l = q.lease("mail", 1, Duration.ofMinutes(1)).get(0);
      q.ack(l.jobId(), l.token());
      fs.collections()
          .declare(CollectionSpec.of(COLLECTION).withIndexed(IndexedField.string("/status")));
      Records records = fs.records(TENANT);
      for (int i = 0; i < STATUSES; i++) {
        ObjectNode data = Env.payload();
        data.put("status", "status-" + i);
        data.put("title", "Order for customer " + i);
        records.create(COLLECTION, NewRecord.of("tpl-" + i, data));
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("flowstore.db"));
        Statement st = c.createStatement()) {
      st.execute("PRAGMA foreign_keys = ON");
      c.setAutoCommit(false);
      long base = single(st, "SELECT max(position) FROM events");
      clone(
          st,
          "events",
          n - base,
          "(SELECT * FROM events WHERE stream_id = 'tpl') t",
          Map.of(
              "position", base + " + g.x",
              "stream_id", "'order-' || ((g.x - 1) / 10)",
              "version", "(g.x - 1) % 10",
              "event_id", uuid(1),
              "category", "'order'",
              "created_at", "t.created_at + g.x"));
      st.execute(
          "UPDATE event_feed_heads SET last_position = (SELECT max(position) FROM events)"
              + " WHERE tenant_id = '"
              + TENANT.value()
              + "'");
      clone(
          st,
          "sessions",
          n / 20,
          "(SELECT * FROM sessions LIMIT 1) t",
          Map.of(
              "session_id", uuid(2),
              "created_at", "t.created_at + g.x",
              "updated_at", "t.updated_at + g.x"));
      clone(
          st,
          "jobs",
          n / 10,
          "(SELECT * FROM jobs LIMIT 1) t",
          Map.of(
              "job_id", uuid(3),
              "message_id", uuid(4),
              "seq", "NULL",
              "created_at", "t.created_at + g.x",
              "run_at", "t.run_at + g.x",
              "updated_at", "t.updated_at + g.x",
              "finished_at", "t.finished_at + g.x"));
      clone(
          st,
          "job_attempts",
          n / 10,
          "(SELECT * FROM job_attempts LIMIT 1) t",
          Map.of(
              "job_id", uuid(3),
              "leased_at", "t.leased_at + g.x",
              "finished_at", "t.finished_at + g.x"));
      String template = "%s t ON t.record_id = 'tpl-' || (g.x %% " + STATUSES + ")";
      clone(
          st,
          "records",
          n / 10,
          String.format(template, "records"),
          Map.of(
              "record_id", "'rec-' || g.x",
              "created_at", "t.created_at + g.x",
              "updated_at", "t.updated_at + g.x"));
      c.commit();
      long rows = 0;
      for (TableCatalog.Table t : TableCatalog.tables())
        if (t.copy() == TableCatalog.Copy.ROWS)
          rows += single(st, "SELECT count(*) FROM " + t.name());
      c.setAutoCommit(true);
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      return rows;
    }
  }

  /** A time-ordered UUID (like a UUIDv7) for counter value {@code g.x}, unique per {@code kind}. */
  private static String uuid(int kind) {
    return "printf('%08x-%04x-7000-8000-%012x', 1767225600, " + kind + ", g.x)";
  }

  /**
   * Inserts {@code count} copies of the template row(s) {@code from} yields into {@code table},
   * with the {@code overrides} expressions (over {@code t}, the template, and {@code g.x},
   * 1..count) in place of the template's values.
   */
  private static void clone(
      Statement st, String table, long count, String from, Map<String, String> overrides)
      throws SQLException {
    if (count <= 0) return;
    List<String> cols = new ArrayList<>();
    try (ResultSet rs = st.executeQuery("SELECT name FROM pragma_table_info('" + table + "')")) {
      while (rs.next()) cols.add(rs.getString(1));
    }
    String join = from.startsWith("(") ? "FROM g, " + from : "FROM g JOIN " + from;
    st.execute(
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < "
            + count
            + ") INSERT INTO "
            + table
            + " ("
            + String.join(", ", cols)
            + ") SELECT "
            + cols.stream()
                .map(c -> overrides.getOrDefault(c, "t." + c))
                .collect(Collectors.joining(", "))
            + " "
            + join);
  }

  private static long single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // --- pgloader ------------------------------------------------------------------------------

  /**
   * Rows/s of pgloader loading {@code db} into a new schema (its own table creation, its indexes
   * built after the load), or null when pgloader is not installed.
   */
  private Double pgloader(Path db, String schema, long rows) throws Exception {
    if (!onPath("pgloader")) {
      System.err.println("bench: row 11: pgloader not found on PATH: its pair is skipped");
      return null;
    }
    env.createSchema(schema);
    String target =
        env.postgresDsn.replaceFirst("\\?.*$", "").replaceFirst("^postgres://", "postgresql://");
    Path load = Files.createTempFile("bench-pgloader", ".load");
    Path log = Files.createTempFile("bench-pgloader", ".log");
    Path root = Env.tempDir("bench-pgloader-root");
    try {
      Files.writeString(
          load,
          "LOAD DATABASE\n"
              + "  FROM sqlite://"
              + db
              + "\n  INTO "
              + target
              + "\n  WITH include drop, create tables, create indexes, reset sequences\n"
              + "  EXCLUDING TABLE NAMES LIKE 'record_text_index%', 'flyway_schema_history',"
              + " 'maintenance', 'copy_runs', 'copy_progress'\n"
              + "  ALTER TABLE NAMES MATCHING ~/.*/ SET SCHEMA '"
              + schema
              + "'\n;\n",
          StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder("pgloader", "--root-dir", root.toString(), load.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("row 11: pgloader ran longer than 30 minutes");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      String output = Files.readString(log);
      if (p.exitValue() != 0)
        throw new IllegalStateException(
            "row 11: pgloader exited " + p.exitValue() + ":\n" + tail(output));
      long loaded = 0;
      try (Connection c = env.connect();
          Statement st = c.createStatement()) {
        for (TableCatalog.Table t : TableCatalog.tables())
          if (t.copy() == TableCatalog.Copy.ROWS)
            loaded += single(st, "SELECT count(*) FROM " + schema + "." + t.name());
      }
      if (loaded != rows)
        throw new IllegalStateException(
            "row 11: pgloader loaded "
                + loaded
                + " rows, the source has "
                + rows
                + ":\n"
                + tail(output));
      perMillion("pgloader SQLite -> PostgreSQL", new double[] {rows, seconds});
      return rows / seconds;
    } finally {
      Files.deleteIfExists(load);
      Files.deleteIfExists(log);
      Env.deleteTree(root);
    }
  }

  private static String tail(String s) {
    List<String> lines = s.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator))
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) return true;
    return false;
  }

  // --- the raw JDBC copy into SQLite ---------------------------------------------------------

  /**
   * Rows/s of a raw JDBC copy of every catalog table from the PostgreSQL schema into a new
   * flowstore SQLite store (migrated, then closed): one read-only snapshot read with a fetch size
   * of 10,000 as a login that bypasses row-level security, and per table one prepared multi-row
   * INSERT reused, {@value #RAW_COMMIT_ROWS} rows per commit, WAL with synchronous = FULL (as
   * flowstore), foreign keys on; values converted by PostgreSQL type (times to microseconds, UUIDs
   * and JSON as text, booleans as 0/1), generated {@code seq} columns left to SQLite.
   */
  private double rawCopy(String pgSchema, Path dir, long expected) throws Exception {
    Flowstore.open(Env.flowstoreSqlite(dir, Map.of())).close();
    long copied = 0;
    long t0 = System.nanoTime();
    try (Connection pg = env.connect();
        Connection lite =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("flowstore.db"))) {
      try (Statement st = lite.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = FULL");
        st.execute("PRAGMA foreign_keys = ON");
      }
      pg.setAutoCommit(false);
      try (Statement st = pg.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        st.execute("SET LOCAL search_path TO " + pgSchema);
      }
      lite.setAutoCommit(false);
      for (TableCatalog.Table t : TableCatalog.tables()) {
        if (t.copy() != TableCatalog.Copy.ROWS) continue;
        copied += rawTable(pg, lite, t);
      }
      lite.commit();
      pg.commit();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (copied != expected)
      throw new IllegalStateException("row 11: raw copy wrote " + copied + " of " + expected);
    perMillion("raw JDBC PostgreSQL -> SQLite", new double[] {copied, seconds});
    return copied / seconds;
  }

  private static long rawTable(Connection pg, Connection lite, TableCatalog.Table t)
      throws SQLException {
    List<String> cols = new ArrayList<>();
    List<String> types = new ArrayList<>();
    try (Statement st = pg.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + t.name() + " WHERE false")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (t.generatedColumns().contains(md.getColumnName(i))) continue;
        cols.add(md.getColumnName(i));
        types.add(md.getColumnTypeName(i));
      }
    }
    int k = cols.size();
    int perStatement = Math.max(1, Math.min(500, 32_000 / k));
    String values = "(" + String.join(", ", Collections.nCopies(k, "?")) + ")";
    String head = "INSERT INTO " + t.name() + " (" + String.join(", ", cols) + ") VALUES ";
    long n = 0;
    try (PreparedStatement full =
            lite.prepareStatement(
                head + String.join(", ", Collections.nCopies(perStatement, values)));
        PreparedStatement one = lite.prepareStatement(head + values);
        PreparedStatement read =
            pg.prepareStatement(
                "SELECT "
                    + String.join(", ", cols)
                    + " FROM "
                    + t.name()
                    + " ORDER BY "
                    + String.join(", ", t.copyOrder()))) {
      read.setFetchSize(10_000);
      Object[][] buffer = new Object[perStatement][];
      int buffered = 0;
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          Object[] row = new Object[k];
          for (int i = 0; i < k; i++) row[i] = value(rs, i + 1, types.get(i));
          buffer[buffered++] = row;
          if (buffered == perStatement) {
            bind(full, buffer, buffered, k);
            full.executeUpdate();
            buffered = 0;
          }
          if (++n % RAW_COMMIT_ROWS == 0) lite.commit();
        }
      }
      for (int r = 0; r < buffered; r++) {
        bind(one, buffer, r, 1, k);
        one.executeUpdate();
      }
    }
    lite.commit();
    return n;
  }

  private static void bind(PreparedStatement ps, Object[][] rows, int count, int k)
      throws SQLException {
    int p = 1;
    for (int r = 0; r < count; r++) for (int i = 0; i < k; i++) ps.setObject(p++, rows[r][i]);
  }

  private static void bind(PreparedStatement ps, Object[][] rows, int from, int count, int k)
      throws SQLException {
    int p = 1;
    for (int r = from; r < from + count; r++)
      for (int i = 0; i < k; i++) ps.setObject(p++, rows[r][i]);
  }

  private static Object value(ResultSet rs, int i, String type) throws SQLException {
    Object v =
        switch (type.toLowerCase(Locale.ROOT)) {
          case "timestamptz", "timestamp" -> {
            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
            yield t == null
                ? null
                : ChronoUnit.MICROS.between(java.time.Instant.EPOCH, t.toInstant());
          }
          case "bool" -> {
            boolean b = rs.getBoolean(i);
            yield b ? 1 : 0;
          }
          case "int2", "int4", "int8" -> rs.getLong(i);
          case "bytea" -> rs.getBytes(i);
          case "numeric" -> rs.getBigDecimal(i);
          default -> rs.getString(i);
        };
    return rs.wasNull() ? null : v;
  }
}
