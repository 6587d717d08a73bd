package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewJob;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SQLite numbers jobs and outbox messages ({@code seq}, the order of leases, lists and relays) by
 * their rowid. The enqueue and the outbox's add give both themselves, max(rowid) + 1, in the
 * inserting statement; the {@code AFTER INSERT} triggers fill seq only for a writer that gives none
 * (migration V16: before it, every insert was followed by an UPDATE of the row). Checked on the
 * file itself: every row's seq is its rowid, in the order of the calls, a deleted newest row's
 * rowid is given again as SQLite itself would, and a seq given by a writer is kept.
 */
class SqliteSeqTest extends FlowstoreTestBase {

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteTemp();
  }

  private Connection file() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:sqlite:" + fs.config().dataDir().resolve("flowstore.db").toAbsolutePath());
  }

  private static ObjectNode payload(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  /** {rowid, seq, payload n} of every row of {@code table} of tenant {@code t} in rowid order. */
  private List<long[]> rows(String table, String json, TenantId t) throws SQLException {
    List<long[]> out = new ArrayList<>();
    try (Connection c = file();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rowid, seq, json_extract("
                    + json
                    + ", '$.n') FROM "
                    + table
                    + " WHERE tenant_id = '"
                    + t.value()
                    + "' ORDER BY rowid")) {
      while (rs.next()) {
        long seq = rs.getLong(2);
        out.add(new long[] {rs.getLong(1), rs.wasNull() ? -1 : seq, rs.getLong(3)});
      }
    }
    return out;
  }

  @Test
  void enqueuedJobsAreNumberedByTheirRowidInTheOrderOfTheCalls() throws SQLException {
    TenantId t = TenantId.of("seq-jobs");
    List<NewJob> batch = new ArrayList<>();
    for (int n = 1; n <= 5; n++) batch.add(NewJob.of("q", "t", payload(n)));
    // every field set, and one unique key taken twice in the batch (the second a duplicate)
    ObjectNode mixed = payload(5).put("f", 1.5).put("s", "é\u2028");
    mixed.putArray("a").add(1).addNull().add(true);
    batch.set(
        4,
        new NewJob(
            "q",
            "t",
            mixed,
            7,
            java.time.Instant.parse("2026-01-02T03:04:05.123456789Z"),
            9,
            "key-1",
            "trace-1",
            java.util.UUID.randomUUID()));
    batch.add(NewJob.of("q", "t", payload(99)).withUniqueKey("key-1"));
    List<dev.flowstore.Recorded<dev.flowstore.Job>> enqueued = fs.queue(t).enqueueAll(batch);
    assertThat(enqueued.get(5).duplicate()).isTrue();
    assertThat(enqueued.get(5).value()).isEqualTo(enqueued.get(4).value());
    // what the enqueue returns (built from what it inserted, not read back) is what is stored
    for (var r : enqueued)
      assertThat(r.value()).isEqualTo(fs.queue(t).get(r.value().jobId()).orElseThrow().job());
    fs.queue(t).enqueue(NewJob.of("q", "t", payload(6)));
    fs.queue(t).enqueue(NewJob.of("other", "t", payload(7)));
    List<long[]> jobs = rows("jobs", "payload", t);
    assertThat(jobs).hasSize(7);
    for (int i = 0; i < jobs.size(); i++) {
      assertThat(jobs.get(i)[1]).as("seq of job %d", i + 1).isEqualTo(jobs.get(i)[0]);
      assertThat(jobs.get(i)[2]).isEqualTo(i + 1);
    }
    // the newest row deleted, the next one takes its rowid, as SQLite's own choice would
    long newest = jobs.get(6)[0];
    try (Connection c = file();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM jobs WHERE rowid = " + newest);
    }
    fs.queue(t).enqueue(NewJob.of("q", "t", payload(8)));
    List<long[]> after = rows("jobs", "payload", t);
    assertThat(after.get(6)).containsExactly(newest, newest, 8);
    // the leases follow that order
    assertThat(fs.queue(t).lease("q", 10, java.time.Duration.ofMinutes(1)))
        .extracting(l -> l.job().payload().get("n").asInt())
        .containsExactly(5, 1, 2, 3, 4, 6, 8); // 5: the highest priority
  }

  @Test
  void outboxMessagesAreNumberedByTheirRowid() throws SQLException {
    TenantId t = TenantId.of("seq-outbox");
    for (int n = 1; n <= 3; n++) fs.outbox(t).add("queue:x", payload(n), null, null);
    List<long[]> messages = rows("outbox", "payload", t);
    assertThat(messages).hasSize(3);
    for (int i = 0; i < messages.size(); i++) {
      assertThat(messages.get(i)[1]).isEqualTo(messages.get(i)[0]);
      assertThat(messages.get(i)[2]).isEqualTo(i + 1);
    }
  }

  @Test
  void checkpointsAreNumberedByTheirRowidAndTheLatestIsTheLastSaved() throws SQLException {
    TenantId t = TenantId.of("seq-checkpoints");
    java.util.UUID session = java.util.UUID.randomUUID();
    String parent = null;
    for (int n = 1; n <= 3; n++) {
      parent =
          fs.checkpoints(t)
              .save(session, dev.flowstore.NewCheckpoint.of(parent, payload(n), null))
              .checkpointId();
    }
    // the same checkpoint saved again is kept, not numbered again
    assertThat(
            fs.checkpoints(t)
                .save(
                    session,
                    new dev.flowstore.NewCheckpoint(
                        parent,
                        fs.checkpoints(t).latest(session).orElseThrow().parentCheckpointId(),
                        payload(3),
                        null,
                        null)))
        .isNotNull();
    List<long[]> rows = rows("workflow_checkpoints", "data", t);
    assertThat(rows).hasSize(3);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i)[1]).isEqualTo(rows.get(i)[0]);
      assertThat(rows.get(i)[2]).isEqualTo(i + 1);
    }
    assertThat(fs.checkpoints(t).latest(session).orElseThrow().checkpointId()).isEqualTo(parent);
  }

  /** V17: the list of one status and the stats read jobs_status_ix (the stats it alone). */
  @Test
  void theQueueListAndStatsReadTheStatusIndex() throws SQLException {
    try (Connection c = file();
        Statement s = c.createStatement()) {
      assertThat(
              plan(
                  s,
                  "SELECT job_id FROM jobs WHERE tenant_id = 'x' AND queue = 'q' AND status = 'queued'"
                      + " ORDER BY seq DESC LIMIT 50"))
          .contains("jobs_status_ix")
          .doesNotContain("TEMP B-TREE FOR ORDER BY");
      assertThat(
              plan(
                  s,
                  "SELECT queue, status, CASE WHEN status = 'queued' AND run_at > 5 THEN 1 ELSE 0 END,"
                      + " COUNT(*) FROM jobs WHERE tenant_id = 'x' GROUP BY 1, 2, 3"))
          .contains("COVERING INDEX jobs_status_ix");
    }
  }

  private static String plan(Statement s, String sql) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
      while (rs.next()) out.append(rs.getString(4)).append('\n');
    }
    return out.toString();
  }

  @Test
  void theTriggersFillOnlyASeqThatNoWriterGave() throws SQLException {
    TenantId t = TenantId.of("seq-raw");
    try (Connection c = file();
        Statement s = c.createStatement()) {
      String columns =
          "INSERT INTO jobs (%stenant_id, job_id, message_id, queue, job_type, payload, run_at,"
              + " max_attempts, created_at, updated_at) VALUES (%s'seq-raw', '%s', '%s', 'raw',"
              + " 't', '{\"n\": %d}', 1, 3, 1, 1)";
      s.execute(String.format(columns, "", "", "j-none", "m-none", 1));
      s.execute(String.format(columns, "seq, ", "424242, ", "j-given", "m-given", 2));
    }
    List<long[]> jobs = rows("jobs", "payload", t);
    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(0)[1]).as("filled by the trigger").isEqualTo(jobs.get(0)[0]);
    assertThat(jobs.get(1)[1]).as("given by the writer, kept").isEqualTo(424242);
  }
}
