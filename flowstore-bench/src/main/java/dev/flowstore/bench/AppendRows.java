package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.TenantId;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.postgresql.PGConnection;

/**
 * Rows 1 and 2: appends of 1 event per call at 1/16/64 writers, and of 100 events per call, against
 * raw inserts into a table of the same shape (same columns, keys and indexes, no RLS, no feed
 * head).
 */
final class AppendRows {
  static final TenantId TENANT = TenantId.of("bench");
  static final int[] WRITERS = {1, 16, 64};
  static final int BATCH = 100;

  /** Connections of flowstore's pool and of the baseline pool in every PostgreSQL append row. */
  static final int POOL = 16;

  static final String PG_TABLE =
      """
      CREATE TABLE events (
        tenant_id text NOT NULL, position bigint GENERATED ALWAYS AS IDENTITY, stream_id text NOT NULL,
        version bigint NOT NULL, event_id uuid NOT NULL, type text NOT NULL, category text NOT NULL,
        payload jsonb NOT NULL, metadata jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, position), UNIQUE (tenant_id, stream_id, version),
        UNIQUE (tenant_id, event_id))""";

  static final String SQLITE_TABLE =
      """
      CREATE TABLE events (
        tenant_id TEXT NOT NULL, position INTEGER NOT NULL, stream_id TEXT NOT NULL,
        version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, category TEXT NOT NULL,
        payload TEXT NOT NULL, metadata TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, position), UNIQUE (tenant_id, stream_id, version),
        UNIQUE (tenant_id, event_id)) WITHOUT ROWID""";

  static final String PG_INSERT =
      "INSERT INTO events (tenant_id, stream_id, version, event_id, type, category, payload, metadata)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, '{}'::jsonb)";

  private final Env env;
  private final Settings s;

  AppendRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  // ---------------------------------------------------------------- row 1

  void row1(boolean postgres, boolean sqlite, Consumer<Row> out) throws Exception {
    if (postgres) {
      String fsSchema = Env.newName("bench_fs");
      String rawSchema = Env.newName("bench_raw");
      env.createSchema(rawSchema);
      env.execute("SET search_path TO " + rawSchema + "; " + PG_TABLE);
      try (Flowstore fs = Flowstore.open(env.flowstorePg(fsSchema, POOL, Map.of()));
          HikariDataSource raw = env.pool(rawSchema, POOL)) {
        for (int w : WRITERS) {
          double f = flowstoreSingle(fs, w, "pg" + w);
          double b = rawPgSingle(raw, w, "pg" + w);
          out.accept(
              Row.throughput(
                  "1", "append 1 event/call, " + w + " writers, PostgreSQL", f, b, "ev/s"));
        }
      } finally {
        env.dropSchema(fsSchema);
        env.dropSchema(rawSchema);
      }
    }
    if (sqlite) {
      Path fsDir = Env.tempDir("bench-fs-");
      Path rawDir = Env.tempDir("bench-raw-");
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(fsDir, Map.of()));
          RawSqlite raw = new RawSqlite(rawDir.resolve("raw.db"))) {
        for (int w : WRITERS) {
          double f = flowstoreSingle(fs, w, "sq" + w);
          double b = rawSqliteSingle(raw, w, "sq" + w);
          out.accept(
              Row.throughput("1", "append 1 event/call, " + w + " writers, SQLite", f, b, "ev/s"));
        }
      } finally {
        Env.deleteTree(fsDir);
        Env.deleteTree(rawDir);
      }
    }
  }

  /** Each writer appends to its own stream with the exact expected version. */
  double flowstoreSingle(Flowstore fs, int writers, String tag) {
    EventStore events = fs.events(TENANT);
    ObjectNode payload = Env.payload();
    long[] next = new long[writers];
    return Measure.throughput(
            s,
            writers,
            w -> {
              ExpectedVersion ev =
                  next[w] == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exact(next[w] - 1);
              events.append(
                  "order-" + tag + "w" + w, ev, List.of(EventData.of("order.placed", payload)));
              next[w]++;
              return 1;
            })
        .perSecond();
  }

  double rawPgSingle(HikariDataSource ds, int writers, String tag) {
    long[] next = new long[writers];
    return Measure.throughput(
            s,
            writers,
            w -> {
              try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(PG_INSERT)) {
                  bindPg(ps, "order-" + tag + "w" + w, next[w]);
                  ps.executeUpdate();
                }
                c.commit();
              }
              next[w]++;
              return 1;
            })
        .perSecond();
  }

  private static void bindPg(PreparedStatement ps, String stream, long version)
      throws SQLException {
    ps.setString(1, TENANT.value());
    ps.setString(2, stream);
    ps.setLong(3, version);
    ps.setObject(4, UUID.randomUUID());
    ps.setString(5, "order.placed");
    ps.setString(6, "order");
    ps.setString(7, Env.PAYLOAD_TEXT);
  }

  double rawSqliteSingle(RawSqlite raw, int writers, String tag) {
    long[] next = new long[writers];
    return Measure.throughput(
            s,
            writers,
            w -> {
              raw.insert("order-" + tag + "w" + w, next[w], 1);
              next[w]++;
              return 1;
            })
        .perSecond();
  }

  // ---------------------------------------------------------------- row 2

  void row2(boolean postgres, boolean sqlite, Consumer<Row> out) throws Exception {
    if (postgres) {
      String fsSchema = Env.newName("bench_fs");
      String rawSchema = Env.newName("bench_raw");
      env.createSchema(rawSchema);
      env.execute("SET search_path TO " + rawSchema + "; " + PG_TABLE);
      try (Flowstore fs = Flowstore.open(env.flowstorePg(fsSchema, POOL, Map.of()));
          HikariDataSource raw = env.pool(rawSchema, POOL)) {
        double f = flowstoreBatch(fs);
        double multi = rawPgMultiRow(raw);
        double copy = rawPgCopy(raw);
        out.accept(
            Row.throughput(
                "2",
                "append 100 events/call, 1 writer, PostgreSQL vs multi-row INSERT",
                f,
                multi,
                "ev/s"));
        out.accept(
            Row.throughput(
                "2", "append 100 events/call, 1 writer, PostgreSQL vs COPY", f, copy, "ev/s"));
      } finally {
        env.dropSchema(fsSchema);
        env.dropSchema(rawSchema);
      }
    }
    if (sqlite) {
      Path fsDir = Env.tempDir("bench-fs-");
      Path rawDir = Env.tempDir("bench-raw-");
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(fsDir, Map.of()));
          RawSqlite raw = new RawSqlite(rawDir.resolve("raw.db"))) {
        double f = flowstoreBatch(fs);
        long[] next = new long[1];
        double b =
            Measure.throughput(
                    s,
                    1,
                    w -> {
                      raw.insert("order-b", next[0], BATCH);
                      next[0] += BATCH;
                      return BATCH;
                    })
                .perSecond();
        out.accept(
            Row.throughput(
                "2", "append 100 events/call, 1 writer, SQLite vs multi-row INSERT", f, b, "ev/s"));
      } finally {
        Env.deleteTree(fsDir);
        Env.deleteTree(rawDir);
      }
    }
  }

  double flowstoreBatch(Flowstore fs) {
    EventStore events = fs.events(TENANT);
    ObjectNode payload = Env.payload();
    List<EventData> batch = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) batch.add(EventData.of("order.placed", payload));
    long[] next = new long[1];
    return Measure.throughput(
            s,
            1,
            w -> {
              ExpectedVersion ev =
                  next[0] == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exact(next[0] - 1);
              events.append("order-batch", ev, batch);
              next[0] += BATCH;
              return BATCH;
            })
        .perSecond();
  }

  double rawPgMultiRow(HikariDataSource ds) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO events (tenant_id, stream_id, version, event_id, type, category, payload,"
                + " metadata) VALUES ");
    for (int i = 0; i < BATCH; i++)
      sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?::jsonb, '{}'::jsonb)");
    String insert = sql.toString();
    long[] next = new long[1];
    return Measure.throughput(
            s,
            1,
            w -> {
              try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                  int p = 1;
                  for (int i = 0; i < BATCH; i++) {
                    ps.setString(p++, TENANT.value());
                    ps.setString(p++, "order-multi");
                    ps.setLong(p++, next[0] + i);
                    ps.setObject(p++, UUID.randomUUID());
                    ps.setString(p++, "order.placed");
                    ps.setString(p++, "order");
                    ps.setString(p++, Env.PAYLOAD_TEXT);
                  }
                  ps.executeUpdate();
                }
                c.commit();
              }
              next[0] += BATCH;
              return BATCH;
            })
        .perSecond();
  }

  double rawPgCopy(HikariDataSource ds) {
    long[] next = new long[1];
    return Measure.throughput(
            s,
            1,
            w -> {
              StringBuilder rows = new StringBuilder(BATCH * 160);
              for (int i = 0; i < BATCH; i++) {
                rows.append(TENANT.value())
                    .append("\torder-copy\t")
                    .append(next[0] + i)
                    .append('\t')
                    .append(UUID.randomUUID())
                    .append("\torder.placed\torder\t")
                    .append(Env.PAYLOAD_TEXT)
                    .append("\t{}\n");
              }
              try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                        "COPY events (tenant_id, stream_id, version, event_id, type, category,"
                            + " payload, metadata) FROM STDIN",
                        new StringReader(rows.toString()));
                c.commit();
              }
              next[0] += BATCH;
              return BATCH;
            })
        .perSecond();
  }

  /**
   * The SQLite baseline: one connection in WAL mode with synchronous=FULL (as flowstore's single
   * writer), shared by the writers under a lock; each call is one transaction.
   */
  static final class RawSqlite implements AutoCloseable {
    private final Connection c;
    private long position;

    RawSqlite(Path file) throws SQLException {
      c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = FULL");
        st.execute("PRAGMA busy_timeout = 10000");
        st.execute(SQLITE_TABLE);
      }
      c.setAutoCommit(false);
    }

    synchronized void insert(String stream, long firstVersion, int n) throws SQLException {
      StringBuilder sql =
          new StringBuilder(
              "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type,"
                  + " category, payload, metadata, created_at) VALUES ");
      for (int i = 0; i < n; i++) sql.append(i == 0 ? "" : ", ").append("(?,?,?,?,?,?,?,?,?,?)");
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int p = 1;
        long now = System.currentTimeMillis() * 1000;
        for (int i = 0; i < n; i++) {
          ps.setString(p++, TENANT.value());
          ps.setLong(p++, ++position);
          ps.setString(p++, stream);
          ps.setLong(p++, firstVersion + i);
          ps.setString(p++, UUID.randomUUID().toString());
          ps.setString(p++, "order.placed");
          ps.setString(p++, "order");
          ps.setString(p++, Env.PAYLOAD_TEXT);
          ps.setString(p++, "{}");
          ps.setLong(p++, now);
        }
        ps.executeUpdate();
      }
      c.commit();
    }

    @Override
    public void close() throws SQLException {
      c.close();
    }
  }
}
