package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Row 13 (11 and 12 are the backend copy's and the mirror's), PostgreSQL only: many tenants writing
 * at once, each writer its own tenant, 1 event (or 1 job) per call. One tenant's appends share a
 * group commit; different tenants' are different transactions, which share WAL flushes only if
 * nothing serializes their commits. A NOTIFY sent inside a transaction does: PostgreSQL takes a
 * database-wide lock in a notifying transaction's pre-commit and holds it through the commit's WAL
 * flush. The raw pair measures that lock alone.
 */
final class TenantRows {
  static final int WRITERS = 16;

  private final Env env;
  private final Settings s;

  TenantRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  static TenantId tenant(int writer) {
    return TenantId.of("bench-t" + writer);
  }

  void row13(Consumer<Row> out) throws Exception {
    String fsSchema = Env.newName("bench_fs");
    String rawSchema = Env.newName("bench_raw");
    env.createSchema(rawSchema);
    env.execute(
        "SET search_path TO " + rawSchema + "; " + AppendRows.PG_TABLE,
        "SET search_path TO " + rawSchema + "; " + QueueRows.RAW_JOBS);
    try (Flowstore fs = Flowstore.open(env.flowstorePg(fsSchema, AppendRows.POOL, Map.of()));
        HikariDataSource raw = env.pool(rawSchema, AppendRows.POOL)) {
      String w = WRITERS + " writers, each its own tenant, PostgreSQL";
      double f = appends(fs);
      double b = rawAppends(raw, false, "a");
      out.accept(Row.throughput("13", "append 1 event/call, " + w, f, b, "ev/s"));
      double notifying = rawAppends(raw, true, "n");
      double plain = rawAppends(raw, false, "p");
      out.accept(
          Row.throughput(
              "13",
              "raw INSERT + COMMIT, " + w + ": with pg_notify in the transaction (left) vs without",
              notifying,
              plain,
              "ev/s"));
      double fq = enqueues(fs);
      double bq = rawEnqueues(raw);
      out.accept(
          Row.throughput("13", "enqueue 1 job/call, " + w + " vs raw INSERT", fq, bq, "jobs/s"));
    } finally {
      env.dropSchema(fsSchema);
      env.dropSchema(rawSchema);
    }
  }

  /** Each writer appends to one stream of its own tenant, with the exact expected version. */
  double appends(Flowstore fs) {
    EventStore[] stores = new EventStore[WRITERS];
    for (int i = 0; i < WRITERS; i++) stores[i] = fs.events(tenant(i));
    ObjectNode payload = Env.payload();
    long[] next = new long[WRITERS];
    return Measure.throughput(
            s,
            WRITERS,
            w -> {
              ExpectedVersion ev =
                  next[w] == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exact(next[w] - 1);
              stores[w].append("order-1", ev, List.of(EventData.of("order.placed", payload)));
              next[w]++;
              return 1;
            })
        .perSecond();
  }

  /** The same row as {@link #appends} by raw JDBC; with {@code notify}, plus a pg_notify. */
  double rawAppends(HikariDataSource ds, boolean notify, String tag) {
    long[] next = new long[WRITERS];
    return Measure.throughput(
            s,
            WRITERS,
            w -> {
              try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(AppendRows.PG_INSERT)) {
                  ps.setString(1, tenant(w).value());
                  ps.setString(2, "order-" + tag);
                  ps.setLong(3, next[w]);
                  ps.setObject(4, UUID.randomUUID());
                  ps.setString(5, "order.placed");
                  ps.setString(6, "order");
                  ps.setString(7, Env.PAYLOAD_TEXT);
                  ps.executeUpdate();
                }
                if (notify) {
                  try (PreparedStatement ps =
                          c.prepareStatement("SELECT pg_notify('bench_feed', ?)");
                      ResultSet rs = executeQuery(ps, tenant(w).value())) {
                    rs.next();
                  }
                }
                c.commit();
              }
              next[w]++;
              return 1;
            })
        .perSecond();
  }

  private static ResultSet executeQuery(PreparedStatement ps, String arg) throws Exception {
    ps.setString(1, arg);
    return ps.executeQuery();
  }

  /** Each writer enqueues one job per call on a queue of its own tenant. */
  double enqueues(Flowstore fs) {
    Queue[] queues = new Queue[WRITERS];
    for (int i = 0; i < WRITERS; i++) queues[i] = fs.queue(tenant(i));
    ObjectNode payload = Env.payload();
    return Measure.throughput(
            s,
            WRITERS,
            w -> {
              queues[w].enqueue(NewJob.of("work", "noop", payload));
              return 1;
            })
        .perSecond();
  }

  double rawEnqueues(HikariDataSource ds) {
    return Measure.throughput(
            s,
            WRITERS,
            w -> {
              try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "INSERT INTO jobs (queue, job_type, payload) VALUES (?, 'noop', ?::jsonb)")) {
                  ps.setString(1, tenant(w).value() + ":work");
                  ps.setString(2, Env.PAYLOAD_TEXT);
                  ps.executeUpdate();
                }
                c.commit();
              }
              return 1;
            })
        .perSecond();
  }
}
