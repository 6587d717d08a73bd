package dev.flowstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Flowstore;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.server.FlowstoreServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Row 10: records. {@code Records.create}, {@code get} by id and an indexed {@code query} (one
 * filter, default order, limit 50), one thread, vs the same operation in raw JDBC on a plain table
 * (id, JSON data, version, times; a plain B-tree index on the indexed field's value); on PostgreSQL
 * and SQLite. And a cached {@code get} by id ({@code FLOWSTORE_CACHE=redis}, PostgreSQL store) vs a
 * Lettuce {@code GET} of a value of the same size as flowstore's cache entry.
 */
final class RecordRows {
  static final String COLLECTION = "tickets";
  static final int STATUSES = 10;
  static final int PAGE = 50;
  static final String RAW_COLUMNS = "id, data, version, created_at, updated_at";

  private final Env env;
  private final Settings s;

  /** Records seeded before the reads, and operations per measured round. */
  private final int seeded;

  private final int perRound;
  private final int rounds;

  /** The rows a query page holds (fewer than {@link #PAGE} only at the smoke size). */
  private int expectedPage = PAGE;

  RecordRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
    switch (s.name()) {
      case "smoke" -> {
        seeded = 100;
        perRound = 30;
        rounds = 2;
      }
      case "quick" -> {
        seeded = 2_000;
        perRound = 400;
        rounds = 5;
      }
      default -> {
        seeded = 20_000;
        perRound = 2_000;
        rounds = 5;
      }
    }
  }

  /** The operation under measurement; {@code i} is unique per call over the whole row. */
  interface Op {
    void run(int i) throws Exception;
  }

  void row10(boolean postgres, boolean sqlite, Consumer<Row> out) throws Exception {
    if (postgres) {
      String fsSchema = Env.newName("bench_fs");
      String rawSchema = Env.newName("bench_raw");
      env.createSchema(rawSchema);
      try (Flowstore fs = Flowstore.open(env.flowstorePg(fsSchema, 4, Map.of()));
          Connection raw = env.connect()) {
        try (Statement st = raw.createStatement()) {
          st.execute("SET search_path TO " + rawSchema);
          st.execute(
              "CREATE TABLE records (id text PRIMARY KEY, data jsonb NOT NULL, version bigint NOT"
                  + " NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
          st.execute(
              "CREATE INDEX records_status_ix ON records ((data->>'status'), created_at, id)");
          st.execute(
              "CREATE TABLE record_history (record_id text NOT NULL, version bigint NOT NULL,"
                  + " change jsonb NOT NULL, at timestamptz NOT NULL,"
                  + " PRIMARY KEY (record_id, version))");
        }
        compare(fs, new Raw(raw, true), "PostgreSQL", out);
      } finally {
        env.dropSchema(fsSchema);
        env.dropSchema(rawSchema);
      }
      cachedRow(out);
    }
    if (sqlite) {
      Path fsDir = Env.tempDir("bench-fs-rec");
      Path rawDir = Env.tempDir("bench-raw-rec");
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(fsDir, Map.of()));
          Connection raw =
              DriverManager.getConnection(
                  "jdbc:sqlite:" + rawDir.resolve("raw.db").toAbsolutePath())) {
        try (Statement st = raw.createStatement()) {
          st.execute("PRAGMA journal_mode = WAL");
          st.execute("PRAGMA synchronous = FULL");
          st.execute("PRAGMA busy_timeout = 10000");
          st.execute(
              "CREATE TABLE records (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT"
                  + " NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
          st.execute(
              "CREATE INDEX records_status_ix ON records (json_extract(data, '$.status'),"
                  + " created_at, id)");
          st.execute(
              "CREATE TABLE record_history (record_id TEXT NOT NULL, version INTEGER NOT NULL,"
                  + " change TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (record_id, version))");
        }
        compare(fs, new Raw(raw, false), "SQLite", out);
      } finally {
        Env.deleteTree(fsDir);
        Env.deleteTree(rawDir);
      }
    }
  }

  static ObjectNode data(int i) {
    ObjectNode d = Env.payload();
    d.put("status", "s" + (i % STATUSES));
    d.put("title", "ticket number " + i);
    return d;
  }

  static String id(int i) {
    return "TKT-" + i;
  }

  static Records declare(Flowstore fs) {
    fs.collections()
        .declare(CollectionSpec.of(COLLECTION).withIndexed(IndexedField.string("/status")));
    return fs.records(AppendRows.TENANT);
  }

  private void compare(Flowstore fs, Raw raw, String backend, Consumer<Row> out) throws Exception {
    Records records = declare(fs);
    // creates: ids 0.. are measured (warm-up included), both sides the same ids and data
    int[] next = {0};
    double[] create =
        interleave(
            i -> records.create(COLLECTION, NewRecord.of(id(i), data(i))), raw::create, next);
    // the same creates vs the hand-written equivalent of what a create keeps: the record and a
    // history row of the change, in one transaction
    double[] createWithHistory =
        interleave(
            i -> records.create(COLLECTION, NewRecord.of(id(i), data(i))),
            raw::createWithHistory,
            next);
    // top up both sides to the seeded size, unmeasured
    for (int i = next[0]; i < seeded; i++) {
      records.create(COLLECTION, NewRecord.of(id(i), data(i)));
      raw.create(i);
    }
    int created = Math.max(next[0], seeded);
    // why: then every status holds as many records, and a page below the limit (the smoke size)
    // is as long for each; the measured creates stop wherever their time runs out
    for (; created % STATUSES != 0; created++) {
      records.create(COLLECTION, NewRecord.of(id(created), data(created)));
      raw.create(created);
    }
    int total = created;
    expectedPage = Math.min(PAGE, total / STATUSES);
    raw.expect(expectedPage);
    double[] get =
        interleave(
            i -> {
              if (records.get(COLLECTION, id(i % total)).isEmpty())
                throw new IllegalStateException("no record " + id(i % total));
            },
            i -> raw.get(i % total),
            new int[] {0});
    Op inProcess =
        i -> {
          RecordPage p =
              records.query(
                  RecordQuery.of(COLLECTION)
                      .where(RecordFilter.eq("/status", "s" + (i % STATUSES)))
                      .limit(PAGE));
          checkPage(p.records().size(), i);
        };
    // why a tenth of the calls: a flowstore query on PostgreSQL ran at ~11/s in the first quick
    // run; it keeps the row's time bounded
    int queries = Math.max(10, perRound / 10);
    double[] query = interleave(inProcess, i -> raw.query(i % STATUSES), new int[] {0}, queries);
    // the same query over HTTP (the server in this process, one keep-alive client), as a Python
    // backend asks it, against the call in-process: what the HTTP layer costs
    double[] overHttp;
    try (FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0);
        HttpRows.KeepAlive client =
            new HttpRows.KeepAlive(server.uri(), AppendRows.TENANT.value())) {
      overHttp =
          interleave(
              i -> {
                JsonNode page =
                    client.get(
                        "/v1/collections/"
                            + COLLECTION
                            + "/records?where=/status:eq:s"
                            + (i % STATUSES)
                            + "&limit="
                            + PAGE,
                        200);
                checkPage(page.get("records").size(), i);
              },
              inProcess,
              new int[] {0},
              queries);
    }
    out.accept(
        Row.throughput(
            "10",
            "record create, 1 thread, " + backend + " vs raw INSERT",
            create[0],
            create[1],
            "ops/s"));
    out.accept(
        Row.throughput(
            "10",
            "record create, 1 thread, "
                + backend
                + " vs raw INSERT of the record and its history row in one transaction",
            createWithHistory[0],
            createWithHistory[1],
            "ops/s"));
    out.accept(
        Row.throughput(
            "10",
            "record get by id, 1 thread, "
                + String.format("%,d", total)
                + " records, "
                + backend
                + " vs raw SELECT by PK",
            get[0],
            get[1],
            "ops/s"));
    out.accept(
        Row.throughput(
            "10",
            "record query 1 indexed eq, limit "
                + PAGE
                + ", 1 thread, "
                + backend
                + " vs raw SELECT on expression index",
            query[0],
            query[1],
            "ops/s"));
    out.accept(
        Row.throughput(
            "10",
            "record query 1 indexed eq, limit "
                + PAGE
                + ", "
                + backend
                + ": over HTTP (1 keep-alive client) vs in-process",
            overHttp[0],
            overHttp[1],
            "ops/s"));
  }

  private void checkPage(int size, int i) {
    if (size != expectedPage)
      throw new IllegalStateException(
          "short page: " + size + " of " + expectedPage + " for s" + (i % STATUSES));
  }

  /**
   * A warm-up of each side, then {@code rounds} rounds taking turns (which side goes first
   * alternates), each of {@code perRound} calls or more: as many as flowstore's side makes in a
   * quarter of the settings' window at its warm-up rate; returns the median ops/s of {flowstore,
   * baseline}. {@code next} numbers the calls. The warm-up runs flowstore's side in rounds until
   * the settings' warm-up time has passed (quick 1 s, full 3 s; at least one round), then the
   * baseline for as many calls. why: one round of 400 calls left flowstore's longer code path
   * partly interpreted while the baseline's few methods were already compiled, so the first
   * measured rounds timed the JIT.
   */
  double[] interleave(Op fs, Op base, int[] next) throws Exception {
    return interleave(fs, base, next, perRound);
  }

  double[] interleave(Op fs, Op base, int[] next, int perRound) throws Exception {
    int start = next[0];
    int warm = 0;
    long until = System.nanoTime() + s.warmup().toNanos();
    double rate;
    do {
      rate = run(fs, start + warm, perRound);
      warm += perRound;
    } while (System.nanoTime() < until);
    run(base, start, warm);
    start += warm;
    // why: a round of a few hundred gets lasted ~20 ms, and one pause of the machine (GC, another
    // process) decided the round; each round now lasts at least a quarter of the settings' window
    // on flowstore's side (quick 250 ms, full 750 ms), both sides the same calls
    perRound = (int) Math.max(perRound, Math.ceil(rate * s.window().toNanos() / 4 / 1e9));
    double[] f = new double[rounds];
    double[] b = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        f[r] = run(fs, start, perRound);
        b[r] = run(base, start, perRound);
      } else {
        b[r] = run(base, start, perRound);
        f[r] = run(fs, start, perRound);
      }
      start += perRound;
    }
    next[0] = start;
    return new double[] {Measure.median(f), Measure.median(b)};
  }

  static double run(Op op, int from, int n) throws Exception {
    long t0 = System.nanoTime();
    for (int i = from; i < from + n; i++) op.run(i);
    return n * 1e9 / (System.nanoTime() - t0);
  }

  /**
   * The raw baseline on one connection, autocommit (one statement = one durable transaction); every
   * column read into a Java value. {@code pg}: PostgreSQL ({@code jsonb}, {@code timestamptz}),
   * else SQLite (JSON and times as text).
   */
  static final class Raw {
    private final boolean pg;
    private final PreparedStatement insert;
    private final PreparedStatement byId;
    private final PreparedStatement byStatus;
    private final Connection c;
    private final PreparedStatement withHistory;
    private final PreparedStatement history;
    private int pageRows = PAGE;

    Raw(Connection c, boolean pg) throws SQLException {
      this.pg = pg;
      this.c = c;
      // PostgreSQL: both inserts in one statement (one round trip, autocommit); SQLite: two
      // inserts between BEGIN and COMMIT (in process, no round trips)
      withHistory =
          pg
              ? c.prepareStatement(
                  "WITH r AS (INSERT INTO records (id, data, version, created_at, updated_at)"
                      + " VALUES (?, ?::jsonb, 1, ?, ?) RETURNING id, version, created_at)"
                      + " INSERT INTO record_history (record_id, version, change, at)"
                      + " SELECT id, version, ?::jsonb, created_at FROM r")
              : c.prepareStatement(
                  "INSERT INTO records (id, data, version, created_at, updated_at)"
                      + " VALUES (?, ?, 1, ?, ?)");
      history =
          pg
              ? null
              : c.prepareStatement(
                  "INSERT INTO record_history (record_id, version, change, at)"
                      + " VALUES (?, 1, ?, ?)");
      insert =
          c.prepareStatement(
              "INSERT INTO records (id, data, version, created_at, updated_at)"
                  + (pg ? " VALUES (?, ?::jsonb, 1, ?, ?)" : " VALUES (?, ?, 1, ?, ?)"));
      byId = c.prepareStatement("SELECT " + RAW_COLUMNS + " FROM records WHERE id = ?");
      byStatus =
          c.prepareStatement(
              "SELECT "
                  + RAW_COLUMNS
                  + " FROM records WHERE "
                  + (pg ? "data->>'status'" : "json_extract(data, '$.status')")
                  + " = ? ORDER BY created_at, id LIMIT "
                  + PAGE);
    }

    void expect(int rows) {
      pageRows = rows;
    }

    void create(int i) throws SQLException {
      Object now = pg ? OffsetDateTime.now(ZoneOffset.UTC) : Instant.now().toString();
      insert.setString(1, id(i));
      insert.setString(2, data(i).toString());
      insert.setObject(3, now);
      insert.setObject(4, now);
      insert.executeUpdate();
    }

    /**
     * The record and a history row of its creation (its data and the indexed field's new value, as
     * flowstore's event holds them) in one durable transaction.
     */
    void createWithHistory(int i) throws SQLException {
      Object now = pg ? OffsetDateTime.now(ZoneOffset.UTC) : Instant.now().toString();
      ObjectNode d = data(i);
      ObjectNode change = d.objectNode();
      change.set("data", d);
      change.putObject("indexed").putObject("/status").put("after", d.get("status").asText());
      withHistory.setString(1, id(i));
      withHistory.setString(2, d.toString());
      withHistory.setObject(3, now);
      withHistory.setObject(4, now);
      if (pg) {
        withHistory.setString(5, change.toString());
        withHistory.executeUpdate();
        return;
      }
      try (Statement st = c.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        try {
          withHistory.executeUpdate();
          history.setString(1, id(i));
          history.setString(2, change.toString());
          history.setObject(3, now);
          history.executeUpdate();
          st.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
          st.execute("ROLLBACK");
          throw e;
        }
      }
    }

    void get(int i) throws SQLException {
      byId.setString(1, id(i));
      if (read(byId, timeType()) != 1) throw new IllegalStateException("no " + id(i));
    }

    void query(int status) throws SQLException {
      byStatus.setString(1, "s" + status);
      if (read(byStatus, timeType()) != pageRows) throw new IllegalStateException("short");
    }

    private Class<?> timeType() {
      return pg ? OffsetDateTime.class : String.class;
    }
  }

  /** Reads every row's columns into Java values (JSON as text); returns the row count. */
  static int read(PreparedStatement ps, Class<?> timeType) throws SQLException {
    int rows = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        String data = rs.getString(2);
        long version = rs.getLong(3);
        Object created = rs.getObject(4, timeType);
        Object updated = rs.getObject(5, timeType);
        if (id == null || data == null || version < 0 || created == null || updated == null)
          throw new IllegalStateException("null column");
        rows++;
      }
    }
    return rows;
  }

  /**
   * Cached get by id: PostgreSQL store with {@code FLOWSTORE_CACHE=redis} (Redis database 9), every
   * measured get a cache hit; vs a Lettuce sync {@code GET} of a key holding a value as long as
   * flowstore's own cache entry (read back from Redis after the warm-up).
   */
  void cachedRow(Consumer<Row> out) throws Exception {
    String schema = Env.newName("bench_fs");
    env.flushBenchRedisDb();
    int n = Math.min(seeded, 1_000);
    RedisClient client = RedisClient.create(RedisURI.create(env.redisDsn(Env.REDIS_DB)));
    try (Flowstore fs =
            Flowstore.open(
                env.flowstorePg(
                    schema,
                    4,
                    Map.of("FLOWSTORE_CACHE", "redis", "REDIS_DSN", env.redisDsn(Env.REDIS_DB))));
        StatefulRedisConnection<String, String> conn = client.connect()) {
      Records records = declare(fs);
      for (int i = 0; i < n; i++) records.create(COLLECTION, NewRecord.of(id(i), data(i)));
      for (int i = 0; i < n; i++) records.get(COLLECTION, id(i)); // fills the cache
      RedisCommands<String, String> redis = conn.sync();
      List<String> keys =
          redis
              .scan(ScanArgs.Builder.matches("*:record:" + COLLECTION + ":*").limit(10_000))
              .getKeys();
      if (keys.isEmpty()) throw new IllegalStateException("no record in the cache after gets");
      long size = redis.strlen(keys.get(0));
      String value = "x".repeat((int) size);
      for (int i = 0; i < n; i++) redis.set("bench:rec:" + i, value);
      double[] r =
          interleave(
              i -> {
                StoredRecord rec = records.get(COLLECTION, id(i % n)).orElseThrow();
                if (rec.version() < 0) throw new IllegalStateException("version");
              },
              i -> {
                if (redis.get("bench:rec:" + (i % n)) == null)
                  throw new IllegalStateException("no key");
              },
              new int[] {0});
      out.accept(
          Row.throughput(
              "10",
              "record get by id, cached (FLOWSTORE_CACHE=redis, PostgreSQL), 1 thread vs Redis GET"
                  + " of "
                  + size
                  + " bytes",
              r[0],
              r[1],
              "ops/s"));
    } finally {
      client.shutdown();
      env.dropSchema(schema);
      env.flushBenchRedisDb();
    }
  }
}
