package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.Flowstore;
import dev.flowstore.OutboxMessage;
import dev.flowstore.OutboxRelay;
import dev.flowstore.TenantId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Row 7: the outbox on PostgreSQL. Latency: one producer commits messages at a steady rate while an
 * {@link OutboxRelay} polls; per message, published_at - created_at (created_at is taken inside the
 * producing transaction, just before its commit). Throughput: M pending messages relayed by one
 * relay, against a raw SQL relay that claims 100 with SKIP LOCKED and inserts the jobs and marks
 * the messages in one transaction.
 */
final class OutboxRows {
  static final TenantId TENANT = AppendRows.TENANT;
  static final int RATE_PER_SEC = 100;
  static final double TARGET_P99_MS = 50;

  private final Env env;
  private final Settings s;

  OutboxRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  void row7(Consumer<Row> out) throws Exception {
    for (int pollMs : new int[] {500, 50}) {
      String schema = Env.newName("bench_fs");
      try (Flowstore fs =
          Flowstore.open(
              env.flowstorePg(
                  schema, 8, Map.of("OUTBOX_POLL_INTERVAL_MS", Integer.toString(pollMs))))) {
        double[] p = latency(fs, pollMs);
        out.accept(
            new Row(
                "7",
                "outbox commit-to-published p50 / p99, relay polling every "
                    + pollMs
                    + " ms, "
                    + RATE_PER_SEC
                    + " msg/s",
                String.format(java.util.Locale.ROOT, "%.1f / %.1f ms", p[0], p[1]),
                "target p99 < " + (int) TARGET_P99_MS + " ms",
                "p99 " + Row.ratio(TARGET_P99_MS / p[1])));
      } finally {
        env.dropSchema(schema);
      }
    }
    String schema = Env.newName("bench_fs");
    double fsRate;
    try (Flowstore fs = Flowstore.open(env.flowstorePg(schema, 8, Map.of()))) {
      fsRate = relayThroughput(fs);
    } finally {
      env.dropSchema(schema);
    }
    String rawSchema = Env.newName("bench_raw");
    env.createSchema(rawSchema);
    double rawRate;
    try (HikariDataSource ds = env.pool(rawSchema, 4)) {
      rawRate = rawRelayThroughput(ds);
    } finally {
      env.dropSchema(rawSchema);
    }
    out.accept(
        Row.throughput(
            "7",
            "outbox relay throughput, "
                + String.format("%,d", s.outboxMessages())
                + " msgs to a queue: OutboxRelay vs raw SQL relay",
            fsRate,
            rawRate,
            "msg/s"));
  }

  /** p50 and p99 in ms. */
  double[] latency(Flowstore fs, int pollMs) {
    ObjectNode payload = Env.payload();
    ObjectNode headers = Env.JSON.createObjectNode().put("job_type", "noop");
    int n = s.outboxLatencyMessages();
    try (OutboxRelay relay = OutboxRelay.start(fs, Duration.ofMillis(pollMs))) {
      long interval = 1_000_000_000L / RATE_PER_SEC;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) Measure.sleep(wait / 1_000_000);
        fs.inTransaction(TENANT, tx -> tx.outbox().add("queue:outq", payload, headers, null));
      }
      QueueRows.waitUntil(
          () -> fs.outbox(TENANT).list(OutboxMessage.Status.PENDING, 1, null).isEmpty(),
          "outbox drained");
    }
    List<OutboxMessage> published = new ArrayList<>();
    UUID after = null;
    while (true) {
      List<OutboxMessage> page =
          fs.outbox(TENANT).list(OutboxMessage.Status.PUBLISHED, 1000, after);
      published.addAll(page);
      if (page.size() < 1000) break;
      after = page.get(page.size() - 1).messageId();
    }
    if (published.size() != n)
      throw new IllegalStateException("published " + published.size() + " of " + n);
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      OutboxMessage m = published.get(i);
      nanos[i] = Duration.between(m.createdAt(), m.publishedAt()).toNanos();
    }
    Arrays.sort(nanos);
    return new double[] {Measure.percentile(nanos, 50), Measure.percentile(nanos, 99)};
  }

  double relayThroughput(Flowstore fs) {
    ObjectNode payload = Env.payload();
    ObjectNode headers = Env.JSON.createObjectNode().put("job_type", "noop");
    int m = s.outboxMessages();
    for (int done = 0; done < m; done += 100) {
      int k = Math.min(100, m - done);
      fs.inTransaction(
          TENANT,
          tx -> {
            for (int i = 0; i < k; i++) tx.outbox().add("queue:outq", payload, headers, null);
            return null;
          });
    }
    OutboxRelay relay = OutboxRelay.manual(fs);
    long t0 = System.nanoTime();
    int published = 0;
    while (published < m) {
      int n = relay.relayOnce();
      if (n == 0) throw new IllegalStateException("relay published nothing at " + published);
      published += n;
    }
    return m * 1e9 / (System.nanoTime() - t0);
  }

  static final String RAW_TABLES =
      """
      CREATE TABLE outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id uuid NOT NULL UNIQUE,
        destination text NOT NULL, payload jsonb NOT NULL, status text NOT NULL DEFAULT 'PENDING',
        created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz);
      CREATE INDEX outbox_pending_ix ON outbox (seq) WHERE status = 'PENDING';
      """
          + QueueRows.RAW_JOBS
          + ";\n"
          + QueueRows.RAW_JOBS_READY;

  double rawRelayThroughput(HikariDataSource ds) throws Exception {
    int m = s.outboxMessages();
    try (Connection c = ds.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute(RAW_TABLES);
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO outbox (message_id, destination, payload) VALUES (?, 'queue:outq',"
                  + " ?::jsonb)")) {
        for (int done = 0; done < m; done += 100) {
          for (int i = 0; i < Math.min(100, m - done); i++) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, Env.PAYLOAD_TEXT);
            ps.addBatch();
          }
          ps.executeBatch();
          c.commit();
        }
      }
    }
    long t0 = System.nanoTime();
    int published = 0;
    try (Connection c = ds.getConnection();
        PreparedStatement claim =
            c.prepareStatement(
                "SELECT seq, payload FROM outbox WHERE status = 'PENDING' ORDER BY seq LIMIT 100"
                    + " FOR UPDATE SKIP LOCKED");
        PreparedStatement enqueue =
            c.prepareStatement(
                "INSERT INTO jobs (queue, job_type, payload) VALUES ('outq', 'noop', ?::jsonb)");
        PreparedStatement mark =
            c.prepareStatement(
                "UPDATE outbox SET status = 'PUBLISHED', published_at = now() WHERE seq ="
                    + " ANY(?)")) {
      c.setAutoCommit(false);
      while (published < m) {
        List<Long> seqs = new ArrayList<>();
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            seqs.add(rs.getLong(1));
            enqueue.setString(1, rs.getString(2));
            enqueue.addBatch();
          }
        }
        if (seqs.isEmpty()) throw new IllegalStateException("raw relay found nothing");
        enqueue.executeBatch();
        Array arr = c.createArrayOf("bigint", seqs.toArray());
        mark.setArray(1, arr);
        mark.executeUpdate();
        c.commit();
        published += seqs.size();
      }
    }
    return m * 1e9 / (System.nanoTime() - t0);
  }
}
