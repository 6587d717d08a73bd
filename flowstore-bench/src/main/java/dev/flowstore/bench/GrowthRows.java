package dev.flowstore.bench;

import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.Lease;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.RecordedEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Row 8, growth (PostgreSQL): the same calls on an empty store and on one holding N events and M
 * succeeded jobs (seeded with set-based SQL straight into flowstore's own tables), so a ratio near
 * 1 means the cost stays flat as the store grows. Also the lease latency once retention ({@link
 * Queue#purgeSucceeded}) has deleted the finished jobs, and a feed read at the head of the long
 * history against one of a 1,000-event store.
 */
final class GrowthRows {
  static final int WRITERS = 16;
  static final int EVENTS_PER_STREAM = 10;
  static final String QUEUE = "grow";

  /** Jobs enqueued whenever the measured queue runs dry (the top-up is not timed). */
  static final int TOP_UP = 2_000;

  static final int PURGE_BATCH = 10_000;
  static final int HEAD_PAGE = 1_000;
  static final int HEAD_READS = 50;
  static final int SMALL_FEED = 1_000;

  private final Env env;
  private final Settings s;

  GrowthRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row8(Consumer<Row> out) throws Exception {
    int n = s.growthEvents();
    int m = s.growthJobs();
    String grown = Env.newName("bench_fs");
    String empty = Env.newName("bench_fs");
    String small = Env.newName("bench_fs");
    try (Flowstore big = Flowstore.open(env.flowstorePg(grown, AppendRows.POOL, Map.of()));
        Flowstore fresh = Flowstore.open(env.flowstorePg(empty, AppendRows.POOL, Map.of()));
        Flowstore few = Flowstore.open(env.flowstorePg(small, 4, Map.of()))) {
      long t0 = System.nanoTime();
      seedEvents(big, grown, n);
      seedSucceededJobs(grown, m);
      env.execute(
          "SET search_path TO " + grown,
          "VACUUM ANALYZE events, event_feed_heads, jobs, job_attempts");
      seedEvents(few, small, SMALL_FEED);
      env.execute("SET search_path TO " + small, "VACUUM ANALYZE events, event_feed_heads");
      System.err.printf(
          Locale.ROOT,
          "bench: row 8 seeded %,d events and %,d succeeded jobs in %.1f s%n",
          n,
          m,
          (System.nanoTime() - t0) / 1e9);
      String events = compact(n) + " events";

      // A B B A against drift of the machine's load: the mean of two runs each
      AppendRows appends = new AppendRows(env, s);
      Map<String, Long> readsBefore = blocksRead(grown);
      long headBefore = feedHead(grown);
      double[] e = {appends.flowstoreSingle(fresh, WRITERS, "e1"), 0};
      double[] g = {appends.flowstoreSingle(big, WRITERS, "g1"), 0};
      g[1] = appends.flowstoreSingle(big, WRITERS, "g2");
      e[1] = appends.flowstoreSingle(fresh, WRITERS, "e2");
      double appendEmpty = (e[0] + e[1]) / 2;
      double appendGrown = (g[0] + g[1]) / 2;
      System.err.printf(
          Locale.ROOT,
          "bench: row 8 append ev/s: empty %,.0f then %,.0f; grown %,.0f then %,.0f%n",
          e[0],
          e[1],
          g[0],
          g[1]);
      reportBlocksRead(grown, readsBefore, feedHead(grown) - headBefore);
      out.accept(
          Row.throughput(
              "8",
              "growth: append 1 event/call, "
                  + WRITERS
                  + " writers, PostgreSQL: "
                  + events
                  + " vs empty store",
              appendGrown,
              appendEmpty,
              "ev/s"));

      Queue emptyQueue = fresh.queue(AppendRows.TENANT);
      Queue grownQueue = big.queue(AppendRows.TENANT);
      long[][] lease = alternateLeaseAck(grownQueue, emptyQueue);
      out.accept(
          latencyRow(
              "lease 1 + ack p50 / p99, 1 worker: "
                  + compact(m)
                  + " succeeded jobs in the queue vs empty",
              lease[0],
              lease[1]));
      out.accept(afterRetention(grownQueue, emptyQueue, m));

      double[] head = alternateHeadRead(big, grown, few, small);
      out.accept(
          Row.latency(
              "8",
              "growth: feed readAll(head - 1000, 1000), median of "
                  + HEAD_READS
                  + ": "
                  + events
                  + " vs "
                  + String.format(Locale.ROOT, "%,d", SMALL_FEED)
                  + " events",
              head[0],
              head[1],
              null));
    } finally {
      env.dropSchema(grown);
      env.dropSchema(empty);
      env.dropSchema(small);
    }
  }

  /**
   * Retention, then the lease latency again: {@code purgeSucceeded(now, 10000)} until a batch comes
   * back short, timed.
   */
  private Row afterRetention(Queue grown, Queue empty, int seeded) {
    String scenario =
        "lease 1 + ack p50 / p99 after purgeSucceeded of " + compact(seeded) + " jobs";
    Instant cutoff = Instant.now();
    long purged = 0;
    long t0 = System.nanoTime();
    try {
      int k;
      do {
        k = grown.purgeSucceeded(cutoff, PURGE_BATCH);
        purged += k;
      } while (k == PURGE_BATCH);
    } catch (UnsupportedOperationException | AbstractMethodError e) {
      System.err.println("bench: row 8 retention: " + e);
      return Row.notAvailable("8", "growth: " + scenario, "-", "retention not built");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long left =
        grown.stats().stream()
            .filter(st -> st.queue().equals(QUEUE))
            .mapToLong(QueueStats::succeeded)
            .sum();
    System.err.printf(
        Locale.ROOT,
        "bench: row 8 purged %,d succeeded jobs in %.1f s (%,.0f jobs/s), %,d left%n",
        purged,
        seconds,
        purged / seconds,
        left);
    long[][] lease = alternateLeaseAck(grown, empty);
    return latencyRow(
        scenario
            + String.format(Locale.ROOT, " (%,.0f jobs/s) vs empty", purged / seconds)
            + (left == 0 ? "" : String.format(Locale.ROOT, " [%,d left]", left)),
        lease[0],
        lease[1]);
  }

  /**
   * One worker: lease 1 + ack on each queue in turn (so both see the same load of the machine), for
   * the settings' warm-up and then their measured windows per queue.
   *
   * @return per queue, the sorted nanoseconds of each measured lease + ack
   */
  private long[][] alternateLeaseAck(Queue... queues) {
    for (Queue q : queues) QueueRows.enqueueFlowstore(q, QUEUE, TOP_UP);
    int k = queues.length;
    long[][] nanos = new long[k][1024];
    int[] counts = new int[k];
    long start = System.nanoTime();
    long warm = start + s.warmup().toNanos() * k;
    long end = warm + s.window().toNanos() * s.windows() * k;
    for (long now = start; now < end; now = System.nanoTime()) {
      for (int i = 0; i < k; i++) {
        long took = leaseAck(queues[i]);
        if (now < warm) continue;
        if (counts[i] == nanos[i].length) nanos[i] = Arrays.copyOf(nanos[i], counts[i] * 2);
        nanos[i][counts[i]++] = took;
      }
    }
    long[][] sorted = new long[k][];
    for (int i = 0; i < k; i++)
      sorted[i] = Measure.merge(new long[][] {nanos[i]}, new int[] {counts[i]});
    return sorted;
  }

  /** Nanoseconds of one lease 1 + ack; an empty lease tops the queue up first (not timed). */
  private static long leaseAck(Queue q) {
    while (true) {
      long t0 = System.nanoTime();
      List<Lease> l = q.lease(QUEUE, 1, QueueRows.VISIBILITY);
      if (l.isEmpty()) {
        QueueRows.enqueueFlowstore(q, QUEUE, TOP_UP);
        continue;
      }
      q.ack(l.get(0).jobId(), l.get(0).token());
      return System.nanoTime() - t0;
    }
  }

  private static Row latencyRow(String scenario, long[] grown, long[] empty) {
    double g50 = Measure.percentile(grown, 50);
    double e50 = Measure.percentile(empty, 50);
    return new Row(
        "8",
        "growth: " + scenario,
        String.format(Locale.ROOT, "%.2f / %.2f ms", g50, Measure.percentile(grown, 99)),
        String.format(Locale.ROOT, "%.2f / %.2f ms", e50, Measure.percentile(empty, 99)),
        "p50 " + Row.ratio(e50 / g50));
  }

  /**
   * Median ms of {@code readAll(head - 1000, 1000)} on the grown and on the small store, the calls
   * alternating between them, after as many warm-up calls (the JIT warms the read path).
   */
  private double[] alternateHeadRead(Flowstore a, String schemaA, Flowstore b, String schemaB)
      throws Exception {
    EventStore[] stores = {a.events(AppendRows.TENANT), b.events(AppendRows.TENANT)};
    long[] heads = {feedHead(schemaA), feedHead(schemaB)};
    double[][] ms = new double[2][HEAD_READS];
    for (int i = -HEAD_READS; i < HEAD_READS; i++) {
      for (int k = 0; k < 2; k++) {
        long after = Math.max(0, heads[k] - HEAD_PAGE);
        long t0 = System.nanoTime();
        List<RecordedEvent> page = stores[k].readAll(after, HEAD_PAGE, null);
        long t1 = System.nanoTime();
        if (page.size() != heads[k] - after)
          throw new IllegalStateException(
              "row 8: read " + page.size() + " events at the head, expected " + (heads[k] - after));
        if (i >= 0) ms[k][i] = (t1 - t0) / 1e6;
      }
    }
    return new double[] {Measure.median(ms[0]), Measure.median(ms[1])};
  }

  private long feedHead(String schema) throws Exception {
    try (Connection c = env.connect();
        Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + schema);
      st.execute("SELECT set_config('app.current_tenant', 'bench', false)");
      return single(st, "SELECT last_position FROM event_feed_heads");
    }
  }

  /**
   * Blocks of the {@code events} table and of each of its indexes that PostgreSQL had to read into
   * shared_buffers (a miss there) in {@code schema} so far.
   */
  private Map<String, Long> blocksRead(String schema) throws SQLException {
    Map<String, Long> reads = new TreeMap<>();
    try (Connection c = env.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT 'heap', heap_blks_read FROM pg_statio_user_tables WHERE schemaname = '"
                    + schema
                    + "' AND relname = 'events' UNION ALL SELECT indexrelname, idx_blks_read"
                    + " FROM pg_statio_user_indexes WHERE schemaname = '"
                    + schema
                    + "' AND relname = 'events'")) {
      while (rs.next()) reads.put(rs.getString(1), rs.getLong(2));
    }
    return reads;
  }

  /** Where the grown store's appends missed shared_buffers: blocks read per appended event. */
  private void reportBlocksRead(String schema, Map<String, Long> before, long appended)
      throws SQLException {
    StringBuilder line = new StringBuilder();
    blocksRead(schema)
        .forEach(
            (rel, n) ->
                line.append(
                    String.format(
                        Locale.ROOT,
                        " %s %.2f",
                        rel,
                        (n - before.getOrDefault(rel, 0L)) / (double) Math.max(1, appended))));
    System.err.printf(
        Locale.ROOT,
        "bench: row 8 grown store, blocks read into shared_buffers per appended event (%,d"
            + " events):%s%n",
        appended,
        line);
  }

  private static long single(Statement st, String query) throws SQLException {
    try (ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * {@code total} events in the tenant's feed: one real append (it registers the tenant and its
   * feed head), then the rest with one {@code INSERT ... SELECT generate_series}, {@link
   * #EVENTS_PER_STREAM} per stream, and the feed head moved to the last position.
   */
  private void seedEvents(Flowstore fs, String schema, int total) {
    fs.events(AppendRows.TENANT)
        .append(
            "seed-0", ExpectedVersion.NO_STREAM, List.of(EventData.of("seeded", Env.payload())));
    bulkLoad(
        schema,
        List.of("events"),
        "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category,"
            + " payload, metadata, created_at) SELECT 'bench', g, 'hist-' || ((g - 2) / "
            + EVENTS_PER_STREAM
            + "), (g - 2) % "
            + EVENTS_PER_STREAM
            + ", gen_random_uuid(), 'order.placed', 'hist', '"
            + Env.PAYLOAD_TEXT
            + "'::jsonb, '{}'::jsonb, now() FROM generate_series(2, "
            + total
            + ") g",
        "UPDATE event_feed_heads SET last_position = " + total + " WHERE tenant_id = 'bench'");
  }

  /**
   * {@code total} jobs of {@link #QUEUE} that SUCCEEDED on their first attempt within the last
   * hour, each with its attempt row, as flowstore's ack leaves them.
   */
  private void seedSucceededJobs(String schema, int total) {
    bulkLoad(
        schema,
        List.of("jobs", "job_attempts"),
        "WITH j AS (INSERT INTO jobs (tenant_id, job_id, message_id, queue, job_type, payload,"
            + " priority, run_at, attempt, max_attempts, status, lease_seq, created_at,"
            + " updated_at, finished_at) SELECT 'bench', gen_random_uuid(), gen_random_uuid(), '"
            + QUEUE
            + "', 'noop', '"
            + Env.PAYLOAD_TEXT
            + "'::jsonb, 0, t, 1, 5, 'succeeded', 1, t, t + interval '5 ms', t + interval '5 ms'"
            + " FROM (SELECT now() - interval '1 hour' + g * interval '1 microsecond' AS t"
            + " FROM generate_series(1, "
            + total
            + ") g) s RETURNING job_id, run_at, finished_at)"
            + " INSERT INTO job_attempts (tenant_id, job_id, token, attempt, outcome, leased_at,"
            + " finished_at) SELECT 'bench', job_id, 1, 1, 'succeeded', run_at, finished_at FROM j");
  }

  /**
   * Runs {@code sql} (bulk inserts into {@code tables}) in one transaction with the tables'
   * indexes, primary and unique keys, and the foreign keys from or to them, dropped first and put
   * back as they were (definitions read from the catalog) afterwards: building an index once is
   * several times faster than maintaining it row by row for random event and job ids.
   */
  private void bulkLoad(String schema, List<String> tables, String... sql) {
    String rels =
        tables.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ", "ARRAY[", "]"))
            + "::regclass[]";
    try (Connection c = env.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SET LOCAL search_path TO " + schema);
      st.execute("SELECT set_config('app.current_tenant', 'bench', true)");
      String constraints =
          "SELECT 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname),"
              + " 'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(conname)"
              + " || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE ";
      List<String[]> foreign =
          dropAndCreate(
              st,
              constraints
                  + "contype = 'f' AND (conrelid = ANY("
                  + rels
                  + ") OR confrelid = ANY("
                  + rels
                  + "))");
      List<String[]> keys =
          dropAndCreate(st, constraints + "contype IN ('p', 'u') AND conrelid = ANY(" + rels + ")");
      List<String[]> indexes =
          dropAndCreate(
              st,
              "SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)"
                  + " FROM pg_index i WHERE i.indrelid = ANY("
                  + rels
                  + ") AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                  + " WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))");
      String count =
          "SELECT (SELECT count(*) FROM pg_index WHERE indrelid = ANY("
              + rels
              + ")) + (SELECT count(*) FROM pg_constraint WHERE conrelid = ANY("
              + rels
              + ") OR confrelid = ANY("
              + rels
              + "))";
      long before = single(st, count);
      for (List<String[]> ddl : List.of(foreign, keys, indexes))
        for (String[] d : ddl) st.execute(d[0]);
      for (String q : sql) st.execute(q);
      for (List<String[]> ddl : List.of(indexes, keys, foreign))
        for (String[] d : ddl) st.execute(d[1]);
      if (single(st, count) != before)
        throw new IllegalStateException(
            "row 8: the indexes of " + tables + " were not all rebuilt");
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("row 8: seeding " + tables + " failed", e);
    }
  }

  /** {drop, create} statements, one pair per row of {@code query}. */
  private static List<String[]> dropAndCreate(Statement st, String query) throws SQLException {
    List<String[]> ddl = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) ddl.add(new String[] {rs.getString(1), rs.getString(2)});
    }
    return ddl;
  }

  /** 1000000 -> "1M", 100000 -> "100k", 1500 -> "1,500". */
  static String compact(long v) {
    if (v >= 1_000_000 && v % 1_000_000 == 0) return v / 1_000_000 + "M";
    if (v >= 10_000 && v % 1_000 == 0) return v / 1_000 + "k";
    return String.format(Locale.ROOT, "%,d", v);
  }
}
