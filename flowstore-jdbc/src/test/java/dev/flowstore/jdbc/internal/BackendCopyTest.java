package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.QueueStats;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.BackendSwitch.CopyProgress;
import dev.flowstore.spi.BackendSwitch.CopySummary;
import dev.flowstore.spi.BackendSwitch.Difference;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import dev.flowstore.testkit.EveryTable;
import dev.flowstore.testkit.FaultyDataSource;
import dev.flowstore.testkit.TestBackends;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link BackendCopy} and {@link BackendCompare} between real SQLite files and the real PostgreSQL
 * (a schema of its own per store), in every direction.
 */
class BackendCopyTest {
  private static final CopyOptions ONCE = new CopyOptions(false, 500);

  private static FlowstoreConfig config(String backend) {
    return backend.equals("sqlite") ? TestBackends.sqliteTemp() : TestBackends.postgres();
  }

  /** A source with two tenants' rows in every table; the caller closes it. */
  private static Flowstore filledSource(String backend, TenantId... tenants) {
    Flowstore fs = Flowstore.open(config(backend));
    for (TenantId t : tenants) EveryTable.fill(fs, t);
    return fs;
  }

  private static void close(Flowstore... stores) {
    for (Flowstore fs : stores) {
      fs.close();
      TestBackends.drop(fs.config());
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite", "postgres, postgres", "sqlite, sqlite"})
  void copiesEveryTableOfEveryTenantSoThatCompareFindsThemEqual(String from, String to) {
    TenantId a = TenantId.of("acme");
    TenantId b = TenantId.of("bolt");
    Flowstore source = filledSource(from, a, b);
    Flowstore target = Flowstore.open(config(to));
    try {
      List<CopyProgress> seen = new ArrayList<>();
      CopySummary summary = BackendCopy.copy(source, target, ONCE, seen::add, Clock.systemUTC());
      assertThat(summary.rows()).isEqualTo(summary.total()).isPositive();
      assertThat(summary.tenants()).isEqualTo(2);
      assertThat(seen)
          .isNotEmpty()
          .last()
          .extracting(CopyProgress::rowsDone)
          .isEqualTo(summary.total());

      Comparison report = BackendCompare.compare(source, target, 5);
      assertThat(report.tables()).filteredOn(r -> !r.equal()).isEmpty();
      assertThat(report.equal()).isTrue();
      // every table copied row by row had rows of both tenants: the test covers each one
      Map<String, Set<String>> filled = new TreeMap<>();
      report.tables().stream()
          .filter(r -> r.countA() > 0)
          .forEach(r -> filled.computeIfAbsent(r.table(), k -> new TreeSet<>()).add(r.tenant()));
      Set<String> rowsTables =
          TableCatalog.tables().stream()
              .filter(t -> t.copy() == TableCatalog.Copy.ROWS)
              .map(TableCatalog.Table::name)
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(filled.keySet()).as("tables EveryTable.fill left empty").isEqualTo(rowsTables);
      // why "": a shared table (collections) reports its rows under no tenant
      filled.forEach(
          (table, ts) ->
              assertThat(ts)
                  .as(table)
                  .containsExactlyElementsOf(
                      TableCatalog.table(table).orElseThrow().tenantScoped()
                          ? List.of("acme", "bolt")
                          : List.of("")));

      for (TenantId t : List.of(a, b)) {
        // record_texts was copied; on SQLite its triggers filled the FTS5 index as it was
        assertThat(
                target
                    .records(t)
                    .query(dev.flowstore.RecordQuery.of("every_table_notes").search("lait"))
                    .records())
            .extracting(dev.flowstore.StoredRecord::id)
            .containsExactly("n1");
        assertThat(target.audit(t).verify().ok()).as("audit chain of " + t).isTrue();
        assertThat(target.audit(t).verify().checked())
            .isEqualTo(source.audit(t).verify().checked())
            .isGreaterThanOrEqualTo(2);
        // the feed continues without a gap, on the target as on the source
        long head = last(source, t).position();
        assertThat(last(target, t)).isEqualTo(last(source, t));
        target
            .events(t)
            .append(
                "order-3",
                ExpectedVersion.NO_STREAM,
                List.of(EventData.of("after", Json.parseObject("t", "{}"))));
        List<RecordedEvent> after = target.events(t).readAll(head, 10, null);
        assertThat(after).extracting(RecordedEvent::position).containsExactly(head + 1);
        // jobs keep their state: the leased one is still leased (its token still holds)
        assertThat(target.queue(t).stats()).isEqualTo(source.queue(t).stats());
        assertThat(target.queue(t).deadLetters().list(null, null, 10)).hasSize(1);
      }
      assertThat(target.tenants()).containsExactlyInAnyOrderElementsOf(source.tenants());
    } finally {
      close(source, target);
    }
  }

  private static RecordedEvent last(Flowstore fs, TenantId t) {
    List<RecordedEvent> all = fs.events(t).readAll(0, 1000, null);
    return all.get(all.size() - 1);
  }

  @Test
  void aTargetThatIsNotEmptyIsRefusedAndAFinishedCopyIsNotRepeated() {
    TenantId t = TenantId.of("acme");
    Flowstore source = filledSource("sqlite", t);
    Flowstore target = Flowstore.open(config("postgres"));
    Flowstore used = filledSource("sqlite", TenantId.of("other"));
    try {
      BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC());
      assertThatThrownBy(() -> BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC()))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
          .hasMessageContaining("holds a copy from " + source.describe())
          .hasMessageContaining("--resume");
      CopySummary again =
          BackendCopy.copy(source, target, new CopyOptions(true, 500), p -> {}, Clock.systemUTC());
      assertThat(again.alreadyComplete()).isTrue();
      assertThat(again.rows()).isZero();

      // a database with rows of its own, never a copy's target
      assertThatThrownBy(() -> BackendCopy.copy(source, used, ONCE, p -> {}, Clock.systemUTC()))
          .hasMessageContaining("is not empty")
          .hasMessageContaining("tenant other")
          .hasMessageContaining("copy into an empty database");
      assertThatThrownBy(
              () ->
                  BackendCopy.copy(
                      source, used, new CopyOptions(true, 500), p -> {}, Clock.systemUTC()))
          .hasMessageContaining("is not empty")
          .hasMessageContaining("holds no interrupted copy to resume");
      assertThatThrownBy(() -> BackendCopy.copy(source, source, ONCE, p -> {}, Clock.systemUTC()))
          .hasMessageContaining("the same database");
      assertThat(BackendCompare.compare(source, used, 5).equal()).isFalse();
    } finally {
      close(source, target, used);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite"})
  void anInterruptedCopyResumesAfterItsLastCommittedBatch(String from, String to) {
    Flowstore source = filledSource(from, TenantId.of("acme"), TenantId.of("bolt"));
    Flowstore target = Flowstore.open(config(to));
    try {
      AtomicInteger batches = new AtomicInteger();
      CopyOptions small = new CopyOptions(false, 2);
      assertThatThrownBy(
              () ->
                  BackendCopy.copy(
                      source,
                      target,
                      small,
                      p -> {
                        if (batches.incrementAndGet() == 7)
                          throw new IllegalStateException("the operator pressed ^C");
                      },
                      Clock.systemUTC()))
          .hasMessageContaining("^C");
      Comparison partial = BackendCompare.compare(source, target, 5);
      assertThat(partial.equal()).isFalse();
      long copied = partial.tables().stream().mapToLong(TableComparison::countB).sum();
      assertThat(copied).isPositive();

      assertThatThrownBy(() -> BackendCopy.copy(source, target, small, p -> {}, Clock.systemUTC()))
          .hasMessageContaining("did not finish")
          .hasMessageContaining("--resume");
      CopySummary resumed =
          BackendCopy.copy(source, target, new CopyOptions(true, 2), p -> {}, Clock.systemUTC());
      assertThat(resumed.alreadyComplete()).isFalse();
      assertThat(resumed.rows() + copied).isEqualTo(resumed.total());
      assertThat(BackendCompare.compare(source, target, 5).equal()).isTrue();
      assertThat(target.audit(TenantId.of("acme")).verify().ok()).isTrue();
    } finally {
      close(source, target);
    }
  }

  /**
   * A target connection lost during a batch's COMMIT, before it committed or after (the answer
   * lost): the copy stops; resumed, it neither skips the batch nor writes it twice, because the
   * progress row commits (or not) with the rows it accounts for.
   */
  @ParameterizedTest(name = "{0}, {1} -> {2}")
  @CsvSource({
    "LOST_AFTER_COMMIT, sqlite, postgres",
    "LOST_BEFORE_COMMIT, sqlite, postgres",
    "LOST_AFTER_COMMIT, postgres, sqlite",
    "LOST_BEFORE_COMMIT, postgres, sqlite"
  })
  void aCommitLostMidCopyIsResumedWithoutALostOrDuplicatedRow(
      FaultyDataSource.Fault fault, String from, String to) {
    Flowstore source = filledSource(from, TenantId.of("acme"), TenantId.of("bolt"));
    Flowstore target = Flowstore.open(config(to));
    FaultyDataSource faulty = new FaultyDataSource();
    Flowstore flaky = ((JdbcFlowstore) target).withWriter(faulty::wrap);
    try {
      // past the set-up's statements, into the batches (two rows each)
      faulty.arm(fault, 55, 1);
      assertThatThrownBy(
              () ->
                  BackendCopy.copy(
                      source, flaky, new CopyOptions(false, 2), p -> {}, Clock.systemUTC()))
          .isInstanceOf(FlowstoreException.class);
      assertThat(faulty.injected()).isEqualTo(1);
      Comparison partial = BackendCompare.compare(source, target, 5);
      assertThat(partial.equal()).isFalse();
      assertThat(partial.tables().stream().mapToLong(TableComparison::countB).sum())
          .as("rows committed before the lost commit")
          .isPositive();
      CopySummary resumed =
          BackendCopy.copy(source, flaky, new CopyOptions(true, 2), p -> {}, Clock.systemUTC());
      assertThat(resumed.alreadyComplete()).isFalse();
      assertThat(BackendCompare.compare(source, target, 5).tables())
          .filteredOn(r -> !r.equal())
          .isEmpty();
    } finally {
      close(source, target);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite"})
  void compareNamesTheKeyAndColumnOfACorruptedRowAndARowThatIsMissing(String from, String to) {
    TenantId t = TenantId.of("acme");
    Flowstore source = filledSource(from, t);
    Flowstore target = Flowstore.open(config(to));
    try {
      BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC());
      String session =
          source.sessions(t).list(null, null, 1, null).sessions().get(0).sessionId().toString();
      TestBackends.executeAsOwner(
          target.config(),
          "UPDATE sessions SET current_state = 'tampered' WHERE session_id = '" + session + "'");
      TestBackends.executeAsOwner(target.config(), "DELETE FROM processed_messages");

      Comparison report = BackendCompare.compare(source, target, 5);
      assertThat(report.equal()).isFalse();
      List<TableComparison> bad = report.tables().stream().filter(r -> !r.equal()).toList();
      assertThat(bad)
          .extracting(TableComparison::table)
          .containsExactly("sessions", "processed_messages");
      TableComparison sessions = bad.get(0);
      assertThat(sessions.tenant()).isEqualTo("acme");
      assertThat(sessions.countA()).isEqualTo(sessions.countB());
      assertThat(sessions.digestA()).isNotEqualTo(sessions.digestB());
      assertThat(sessions.differences())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.key()).isEqualTo(Map.of("session_id", session));
                assertThat(d.problem()).isEqualTo("values differ");
                // (PostgreSQL's trigger also moves updated_at on a hand-written UPDATE)
                assertThat(d.columns())
                    .containsEntry("current_state", List.of("review", "tampered"));
              });
      TableComparison processed = bad.get(1);
      assertThat(processed.countB()).isZero();
      assertThat(processed.differences())
          .singleElement()
          .extracting(Difference::problem)
          .isEqualTo("only in a");
    } finally {
      close(source, target);
    }
  }

  /**
   * The owner of a PostgreSQL schema is rarely a superuser: row-level security is forced on it, so
   * the copy scopes each batch to its tenant (or every insert would fail the policy's check), and
   * the tenants it walks are the registry's, which copy and compare say in a warning.
   */
  @Test
  void copiesIntoAndOutOfPostgresAsAnOwnerThatDoesNotBypassRowLevelSecurity() {
    FlowstoreConfig superuser = TestBackends.postgres();
    TestBackends.executeAsOwner(
        superuser,
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fs_switch_owner') THEN"
            + " CREATE ROLE fs_switch_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE; END IF;"
            + " EXECUTE format('GRANT CREATE ON DATABASE %I TO fs_switch_owner', current_database());"
            + " END $$");
    String dsn = superuser.given("POSTGRES_DSN").replaceFirst("//[^@/]*@", "//fs_switch_owner@");
    FlowstoreConfig owned =
        TestBackends.postgres(Map.of("POSTGRES_DSN", dsn, "POSTGRES_APP_ROLE", "fs_switch_app"));
    Flowstore source = filledSource("sqlite", TenantId.of("acme"), TenantId.of("bolt"));
    Flowstore target = Flowstore.open(owned);
    Flowstore back = Flowstore.open(config("sqlite"));
    try {
      CopySummary in = BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC());
      assertThat(in.warnings()).isEmpty();
      Comparison there = BackendCompare.compare(source, target, 5);
      assertThat(there.tables()).filteredOn(r -> !r.equal()).isEmpty();
      assertThat(there.warnings()).singleElement().asString().contains("BYPASSRLS");

      CopySummary out = BackendCopy.copy(target, back, ONCE, p -> {}, Clock.systemUTC());
      assertThat(out.rows()).isEqualTo(in.rows());
      assertThat(out.warnings()).singleElement().asString().contains("tenants registry");
      assertThat(BackendCompare.compare(source, back, 5).tables())
          .filteredOn(r -> !r.equal())
          .isEmpty();
      assertThat(target.audit(TenantId.of("bolt")).verify().ok()).isTrue();
    } finally {
      close(source, target, back);
      TestBackends.drop(superuser);
    }
  }

  /**
   * Values COPY's text format must escape (tabs, newlines, carriage returns, backslashes, a text
   * that reads {@code \N}), JSON with escapes and characters beyond ASCII, a time before 1970 with
   * microseconds, and a time after year 9999 (which the copy's COPY text does not carry: that batch
   * is inserted instead) arrive as they were, both ways.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite"})
  void valuesThatCopyMustEscapeArriveIntact(String from, String to) {
    TenantId t = TenantId.of("acme");
    Flowstore source = Flowstore.open(config(from));
    Flowstore target = Flowstore.open(config(to));
    Flowstore back = Flowstore.open(config(from));
    String nasty = "tab\t nl\n cr\r bs\\ \\N q\" \u00e9 \u65e5\u672c \uD83D\uDE00 \u0001 end";
    try {
      com.fasterxml.jackson.databind.node.ObjectNode payload =
          Json.parseObject("t", "{}").put("s", nasty).put("n", 1.50).put("\\N", "\\N");
      source
          .events(t)
          .append("odd-1", ExpectedVersion.NO_STREAM, List.of(EventData.of("odd", payload)));
      dev.flowstore.Queue q = source.queue(t);
      q.enqueue(dev.flowstore.NewJob.of("mail", "send", payload));
      dev.flowstore.Lease lease = q.lease("mail", 1, java.time.Duration.ofMinutes(1)).get(0);
      q.nack(lease.jobId(), lease.token(), nasty, java.time.Duration.ZERO);
      q.enqueue(dev.flowstore.NewJob.of("later", "send", payload));
      TestBackends.executeAsOwner(
          source.config(),
          from.equals("sqlite")
              ? "UPDATE jobs SET created_at = -1, run_at = 253402300800000001 WHERE queue = 'later'"
              : "UPDATE jobs SET created_at = '1969-12-31 23:59:59.999999+00',"
                  + " run_at = '10000-01-01 00:00:00.000001+00' WHERE queue = 'later'");

      BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC());
      assertThat(BackendCompare.compare(source, target, 5).tables())
          .filteredOn(r -> !r.equal())
          .isEmpty();
      BackendCopy.copy(target, back, ONCE, p -> {}, Clock.systemUTC());
      assertThat(BackendCompare.compare(source, back, 5).tables())
          .filteredOn(r -> !r.equal())
          .isEmpty();
      for (Flowstore fs : List.of(target, back)) {
        RecordedEvent e =
            fs.events(t).readStream("odd-1", 0, 10, dev.flowstore.Direction.FORWARD).get(0);
        assertThat(e.payload().get("s").asText()).isEqualTo(nasty);
        assertThat(e.payload().get("\\N").asText()).isEqualTo("\\N");
        assertThat(fs.queue(t).get(lease.jobId()).orElseThrow().job().lastError()).isEqualTo(nasty);
      }
    } finally {
      close(source, target, back);
    }
  }

  @Test
  void jobsKeepTheirStatesAcrossACopy() {
    TenantId t = TenantId.of("acme");
    Flowstore source = filledSource("sqlite", t);
    Flowstore target = Flowstore.open(config("postgres"));
    try {
      BackendCopy.copy(source, target, ONCE, p -> {}, Clock.systemUTC());
      List<QueueStats> stats = target.queue(t).stats();
      assertThat(stats).isEqualTo(source.queue(t).stats());
      assertThat(stats.stream().mapToLong(QueueStats::ready).sum()).isEqualTo(1);
      assertThat(stats.stream().mapToLong(QueueStats::delayed).sum()).isEqualTo(1);
      assertThat(stats.stream().mapToLong(QueueStats::leased).sum()).isEqualTo(1);
      assertThat(stats.stream().mapToLong(QueueStats::succeeded).sum()).isEqualTo(1);
      assertThat(stats.stream().mapToLong(QueueStats::failed).sum()).isEqualTo(1);
      // the ready job is leased from the target like any other
      assertThat(target.queue(t).lease("mail", 5, java.time.Duration.ofMinutes(1))).hasSize(1);
    } finally {
      close(source, target);
    }
  }
}
