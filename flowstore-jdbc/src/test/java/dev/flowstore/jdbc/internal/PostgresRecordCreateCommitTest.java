package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.PostgresSettings;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * A record create on PostgreSQL sends its inserts and its {@code COMMIT} in one exchange ({@link
 * Transactions#writeEndingWith}). Whatever fails in that exchange, an insert or the {@code COMMIT}
 * itself, leaves nothing written (no record, index entry, unique value, text, event; the feed head
 * where it was), runs no after-commit step, is answered as before the exchange carried the commit,
 * and hands back a clean connection: one pooled connection, so every create and check here runs on
 * the same physical connection (until a test ends the session on purpose).
 */
class PostgresRecordCreateCommitTest extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String COLLECTION = "commit_tickets";

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(Map.of("POSTGRES_POOL_MIN", "1", "POSTGRES_POOL_MAX", "1"));
  }

  @BeforeAll
  void declare() {
    fs.collections()
        .declare(
            CollectionSpec.of(COLLECTION)
                .withIndexed(IndexedField.string("/status"), IndexedField.string("/code"))
                .withUnique("/code")
                .withFullText("/title"));
  }

  private JdbcFlowstore jdbc() {
    return (JdbcFlowstore) fs;
  }

  private static ObjectNode data(String id) {
    return JSON.objectNode()
        .put("status", "open")
        .put("code", "c-" + id)
        .put("title", "about " + id);
  }

  private String stream(String id) {
    return Records.streamOf(COLLECTION, id);
  }

  private long feedGeneration(TenantId tenant) {
    return jdbc().wakeups().generation(QueueWakeups.feedKey(tenant.value()));
  }

  /** Runs {@code sql} as the schema owner, outside any tenant. */
  private void asOwner(String sql) {
    jdbc()
        .system(
            c -> {
              try (Statement s = c.createStatement()) {
                s.execute(sql);
              }
              return null;
            });
  }

  private long count(String table, String column, TenantId tenant, String value) {
    return jdbc()
        .system(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT count(*) FROM "
                          + table
                          + " WHERE tenant_id = ? AND "
                          + column
                          + " = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, value);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
  }

  private long head(TenantId tenant) {
    return jdbc()
        .system(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT last_position FROM event_feed_heads WHERE tenant_id = ?")) {
                ps.setString(1, tenant.value());
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
  }

  /** Nothing of the create of {@code id} is stored, in any of the tables a create writes. */
  private void assertNothingStored(TenantId tenant, String id) {
    assertThat(fs.records(tenant).get(COLLECTION, id)).isEmpty();
    assertThat(count("records", "record_id", tenant, id)).isZero();
    assertThat(count("record_unique_values", "record_id", tenant, id)).isZero();
    assertThat(count("record_texts", "record_id", tenant, id)).isZero();
    assertThat(count("events", "stream_id", tenant, stream(id))).isZero();
  }

  /**
   * The pooled connection is as the pool expects it: autocommit on, no transaction open, and
   * neither the application role nor a tenant left on it.
   */
  private void assertConnectionClean() {
    String role = PostgresSettings.of(fs.config()).appRole();
    jdbc()
        .system(
            c -> {
              assertThat(c.getAutoCommit()).isTrue();
              assertThat(c.unwrap(BaseConnection.class).getTransactionState())
                  .isEqualTo(TransactionState.IDLE);
              try (Statement s = c.createStatement();
                  ResultSet rs =
                      s.executeQuery(
                          "SELECT current_user, coalesce(current_setting('app.current_tenant', true), '')")) {
                rs.next();
                assertThat(rs.getString(1)).isNotEqualTo(role);
                assertThat(rs.getString(2)).isEmpty();
              }
              return null;
            });
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause())
      if (t instanceof SQLException s) return s.getSQLState();
    return null;
  }

  /**
   * How many exchanges {@code r} makes on this thread: the Syncs pgjdbc's protocol log shows it
   * sending (one per exchange).
   */
  private static int exchanges(Runnable r) {
    Logger log = Logger.getLogger("org.postgresql");
    long thread = Thread.currentThread().threadId();
    AtomicInteger syncs = new AtomicInteger();
    Handler counter =
        new Handler() {
          @Override
          public void publish(LogRecord rec) {
            if (rec.getLongThreadID() == thread
                && rec.getMessage() != null
                && rec.getMessage().contains("FE=> Sync")) syncs.incrementAndGet();
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Level level = log.getLevel();
    log.addHandler(counter);
    log.setLevel(Level.FINEST);
    try {
      r.run();
    } finally {
      log.setLevel(level);
      log.removeHandler(counter);
    }
    return syncs.get();
  }

  /**
   * A create is two exchanges (the checks behind the tenant scope; the inserts with the COMMIT),
   * and a write that leaves no statements for the end keeps its own (scope, statement, COMMIT): no
   * empty exchange is added.
   */
  @Test
  void aCreateIsTwoExchangesAndOtherWritesAddNone() {
    TenantId tenant = newTenant();
    Records records = fs.records(tenant);
    records.create(COLLECTION, NewRecord.of("first", data("first"))); // the tenant's first write
    assertThat(exchanges(() -> records.create(COLLECTION, NewRecord.of("a", data("a")))))
        .isEqualTo(2);
    assertThat(
            exchanges(
                () ->
                    jdbc()
                        .write(
                            tenant,
                            c ->
                                Columns.update(
                                    c,
                                    new Sql(
                                        jdbc().dialect(),
                                        "UPDATE event_feed_heads SET last_position = last_position WHERE tenant_id = ?",
                                        tenant.value())))))
        .isEqualTo(3);
  }

  @Test
  void aCreateIsCommittedByItsOwnExchange() {
    TenantId tenant = newTenant();
    long before = feedGeneration(tenant);
    fs.records(tenant).create(COLLECTION, NewRecord.of("a", data("a")));
    assertThat(fs.records(tenant).get(COLLECTION, "a")).isPresent();
    assertThat(count("records", "cardinality(keys) = 2 AND record_id", tenant, "a")).isEqualTo(1);
    assertThat(count("record_unique_values", "record_id", tenant, "a")).isEqualTo(1);
    assertThat(count("events", "stream_id", tenant, stream("a"))).isEqualTo(1);
    assertThat(feedGeneration(tenant))
        .as("the feed's wake-up, after the commit")
        .isNotEqualTo(before);
    assertConnectionClean();
  }

  /**
   * The event's insert, the last statement before the {@code COMMIT}, meets a row planted at the
   * position the create is handed (a primary-key conflict no check of the create looks for): the
   * record's row, its index entries, unique value and text, inserted earlier in the same exchange,
   * are not stored, the feed head's advance is undone (the next create gets that position: no gap),
   * and the next create works on the same connection.
   */
  @Test
  void aConflictInTheExchangeThatCarriesTheCommitLeavesNothingWritten() {
    TenantId tenant = newTenant();
    Records records = fs.records(tenant);
    records.create(COLLECTION, NewRecord.of("a", data("a"))); // position 1, the feed head made
    String planted = "planted-" + UUID.randomUUID();
    jdbc()
        .write(
            tenant,
            c ->
                Columns.update(
                    c,
                    new Sql(
                        jdbc().dialect(),
                        "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category, payload, metadata, created_at)"
                            + " VALUES (?, 2, ?, 0, ?, 'Planted', 'planted', '{}', '{}', now())",
                        tenant.value(),
                        planted,
                        UUID.randomUUID())));
    assertThat(head(tenant)).isEqualTo(1);
    long generation = feedGeneration(tenant);

    assertThatThrownBy(() -> records.create(COLLECTION, NewRecord.of("b", data("b"))))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              // as when the inserts failed in an exchange of their own: the statement's error
              assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
              assertThat(sqlState(e)).isEqualTo("23505");
              assertThat(e.getMessage()).contains("events_pk");
            });

    assertNothingStored(tenant, "b");
    assertThat(head(tenant)).as("the feed head's advance rolled back").isEqualTo(1);
    assertThat(feedGeneration(tenant)).as("no after-commit step ran").isEqualTo(generation);
    assertConnectionClean();

    jdbc()
        .write(
            tenant,
            c ->
                Columns.update(
                    c,
                    new Sql(
                        jdbc().dialect(),
                        "DELETE FROM events WHERE tenant_id = ? AND stream_id = ?",
                        tenant.value(),
                        planted)));
    records.create(COLLECTION, NewRecord.of("b", data("b")));
    List<RecordedEvent> feed = fs.events(tenant).readAll(0, 10, null);
    assertThat(feed).extracting(RecordedEvent::position).containsExactly(1L, 2L);
    assertThat(feed.get(1).stream()).isEqualTo(stream("b"));
    assertThat(records.get(COLLECTION, "b")).isPresent();
    assertThat(count("records", "cardinality(keys) = 2 AND record_id", tenant, "b")).isEqualTo(1);
    assertConnectionClean();
  }

  /**
   * The {@code COMMIT} itself fails (a deferred constraint trigger refuses it, as a serialization
   * failure): the answer is the database's, as when the commit had an exchange of its own
   * (BACKEND_UNAVAILABLE, retry), nothing is stored, no after-commit step runs, and the next create
   * works on the same connection.
   */
  @Test
  void aCommitRefusedInTheExchangeLeavesNothingWritten() {
    TenantId tenant = newTenant();
    Records records = fs.records(tenant);
    records.create(COLLECTION, NewRecord.of("a", data("a")));
    asOwner(
        """
        CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.record_id LIKE 'doomed%' THEN
            RAISE EXCEPTION 'refused at commit' USING ERRCODE = '40001';
          END IF;
          RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON records
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_doomed();
        """);
    try {
      long generation = feedGeneration(tenant);
      assertThatThrownBy(() -> records.create(COLLECTION, NewRecord.of("doomed", data("doomed"))))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
                assertThat(sqlState(e)).isEqualTo("40001");
                assertThat(e.getMessage()).contains("refused at commit");
              });
      assertNothingStored(tenant, "doomed");
      assertThat(head(tenant)).isEqualTo(1);
      assertThat(feedGeneration(tenant)).isEqualTo(generation);
      assertConnectionClean();
      records.create(COLLECTION, NewRecord.of("b", data("b")));
      assertThat(fs.events(tenant).readAll(0, 10, null))
          .extracting(RecordedEvent::position)
          .containsExactly(1L, 2L);
      assertConnectionClean();
    } finally {
      asOwner("DROP TRIGGER refuse_doomed ON records; DROP FUNCTION refuse_doomed()");
    }
  }

  /**
   * The session ends inside the exchange (the server terminates it: FATAL 57P01, then the driver's
   * own 08006 on the closed socket): the {@code COMMIT} was sent, so the answer is OUTCOME_UNKNOWN,
   * not BACKEND_UNAVAILABLE, and the steps harmless either way (the feed's wake-up) still run. Here
   * the session ended before the server reached the {@code COMMIT}, so nothing is stored; the pool
   * replaces the connection and the next create works.
   */
  @Test
  void aSessionLostInTheExchangeThatCarriesTheCommitIsOutcomeUnknown() {
    TenantId tenant = newTenant();
    Records records = fs.records(tenant);
    records.create(COLLECTION, NewRecord.of("a", data("a")));
    // SECURITY DEFINER: the application role may not signal the login's backend
    asOwner(
        """
        CREATE FUNCTION cut_session() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
        BEGIN
          IF NEW.stream_id LIKE '%-cut%' THEN
            PERFORM pg_terminate_backend(pg_backend_pid());
            PERFORM pg_sleep(5);
          END IF;
          RETURN NULL;
        END $$;
        CREATE TRIGGER cut_session AFTER INSERT ON events
          FOR EACH ROW EXECUTE FUNCTION cut_session();
        """);
    try {
      long generation = feedGeneration(tenant);
      assertThatThrownBy(() -> records.create(COLLECTION, NewRecord.of("cut", data("cut"))))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
                assertThat(sqlState(e)).isEqualTo("57P01");
              });
      assertThat(feedGeneration(tenant))
          .as("the harmless steps run when the outcome is unknown")
          .isNotEqualTo(generation);
      assertNothingStored(tenant, "cut");
      assertThat(head(tenant)).isEqualTo(1);
      assertConnectionClean();
      records.create(COLLECTION, NewRecord.of("b", data("b")));
      assertThat(fs.events(tenant).readAll(0, 10, null))
          .extracting(RecordedEvent::position)
          .containsExactly(1L, 2L);
    } finally {
      asOwner("DROP TRIGGER cut_session ON events; DROP FUNCTION cut_session()");
    }
  }
}
