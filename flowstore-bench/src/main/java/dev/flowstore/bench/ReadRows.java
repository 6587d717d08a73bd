package dev.flowstore.bench;

import dev.flowstore.Direction;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.RecordedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Row 3: read one stream of N events forward, and the tenant feed from the start, 1000 per page,
 * through flowstore and with a raw keyset SELECT of the same columns from the same table.
 */
final class ReadRows {
  static final String STREAM = "big-1";
  static final int PAGE = EventStore.MAX_PAGE;
  static final String COLUMNS =
      "event_id, stream_id, version, position, type, payload, metadata, created_at";

  private final Env env;
  private final Settings s;

  ReadRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row3(Consumer<Row> out) throws Exception {
    String schema = Env.newName("bench_fs");
    int n = s.readEvents();
    try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, 4, Map.of()))) {
      EventStore events = fs.events(AppendRows.TENANT);
      // one real append registers the tenant and its feed head; the bulk goes in with one INSERT
      events.append(
          "seed-0", ExpectedVersion.NO_STREAM, List.of(EventData.of("seeded", Env.payload())));
      long t0 = System.nanoTime();
      env.execute(
          "SET search_path TO " + schema,
          "SELECT set_config('app.current_tenant', 'bench', false)",
          "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category,"
              + " payload, metadata, created_at) SELECT 'bench', g + 1, '"
              + STREAM
              + "', g - 1, gen_random_uuid(), 'order.placed', 'big', '"
              + Env.PAYLOAD_TEXT
              + "'::jsonb, '{}'::jsonb, now() FROM generate_series(1, "
              + n
              + ") g",
          "UPDATE event_feed_heads SET last_position = " + (n + 1) + " WHERE tenant_id = 'bench'",
          "VACUUM ANALYZE events");
      System.err.printf(
          "bench: row 3 seeded %,d events in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);

      double fsStream = passes(() -> readStreamFlowstore(events, n));
      double rawStream = passes(() -> readRaw(schema, true, n));
      double fsFeed = passes(() -> readFeedFlowstore(events, n + 1));
      double rawFeed = passes(() -> readRaw(schema, false, n + 1));
      out.accept(
          Row.throughput(
              "3",
              "read one stream forward, " + String.format("%,d", n) + " events, PostgreSQL",
              fsStream,
              rawStream,
              "ev/s"));
      out.accept(
          Row.throughput(
              "3",
              "read tenant feed from start, " + String.format("%,d", n + 1) + " events, PostgreSQL",
              fsFeed,
              rawFeed,
              "ev/s"));
    } finally {
      env.dropSchema(schema);
    }
  }

  interface Pass {
    long run() throws Exception;
  }

  /** One warm-up pass, then the median events/s of the measured passes. */
  double passes(Pass pass) throws Exception {
    pass.run();
    double[] rates = new double[s.readPasses()];
    for (int i = 0; i < rates.length; i++) {
      long t0 = System.nanoTime();
      long count = pass.run();
      rates[i] = count * 1e9 / (System.nanoTime() - t0);
    }
    return Measure.median(rates);
  }

  static long readStreamFlowstore(EventStore events, int expected) {
    long count = 0;
    long next = 0;
    while (true) {
      List<RecordedEvent> page = events.readStream(STREAM, next, PAGE, Direction.FORWARD);
      count += page.size();
      if (page.size() < PAGE) break;
      next = page.get(page.size() - 1).version() + 1;
    }
    check(count, expected);
    return count;
  }

  static long readFeedFlowstore(EventStore events, int expected) {
    long count = 0;
    long after = 0;
    while (true) {
      List<RecordedEvent> page = events.readAll(after, PAGE, null);
      count += page.size();
      if (page.size() < PAGE) break;
      after = page.get(page.size() - 1).position();
    }
    check(count, expected);
    return count;
  }

  /** Keyset paging as flowstore does it; every column read into a Java value (JSON as text). */
  long readRaw(String schema, boolean stream, int expected) throws Exception {
    String sql =
        stream
            ? "SELECT "
                + COLUMNS
                + " FROM events WHERE tenant_id = 'bench' AND stream_id = '"
                + STREAM
                + "' AND version >= ? ORDER BY version LIMIT "
                + PAGE
            : "SELECT "
                + COLUMNS
                + " FROM events WHERE tenant_id = 'bench' AND position > ? ORDER BY position LIMIT "
                + PAGE;
    long count = 0;
    long key = 0;
    try (Connection c = env.connect()) {
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path TO " + schema);
        st.execute("SELECT set_config('app.current_tenant', 'bench', false)");
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        while (true) {
          ps.setLong(1, key);
          int rows = 0;
          long last = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              UUID id = rs.getObject(1, UUID.class);
              String streamId = rs.getString(2);
              long version = rs.getLong(3);
              long position = rs.getLong(4);
              String type = rs.getString(5);
              String payload = rs.getString(6);
              String metadata = rs.getString(7);
              var createdAt = rs.getObject(8, java.time.OffsetDateTime.class);
              if (id == null || streamId == null || type == null || payload == null)
                throw new IllegalStateException("null column");
              if (metadata == null || createdAt == null) throw new IllegalStateException("null");
              last = stream ? version + 1 : position;
              rows++;
            }
          }
          count += rows;
          if (rows < PAGE) break;
          key = last;
        }
      }
    }
    check(count, expected);
    return count;
  }

  private static void check(long count, long expected) {
    if (count != expected)
      throw new IllegalStateException("read " + count + " events, expected " + expected);
  }
}
