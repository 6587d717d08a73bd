package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordedEvent;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import dev.flowstore.spi.MirrorLoop;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.testkit.EveryTable;
import dev.flowstore.testkit.FaultyDataSource;
import dev.flowstore.testkit.TestBackends;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mirror ({@link MirrorCapture}, {@link Mirror}) between real SQLite files and the real
 * PostgreSQL, in the directions the switching runbook uses: SQLite -> PostgreSQL (the forward
 * window) and PostgreSQL -> SQLite (rollback readiness).
 */
class MirrorTest {
  private static final JdbcMirroring MIRRORING = new JdbcMirroring();

  private static FlowstoreConfig config(String backend) {
    return backend.equals("sqlite") ? TestBackends.sqliteTemp() : TestBackends.postgres();
  }

  private static void close(Flowstore... stores) {
    for (Flowstore fs : stores) {
      fs.close();
      TestBackends.drop(fs.config());
    }
  }

  /** Writers of every kind, each on its own thread, until stopped; failures are collected. */
  private static final class Writers implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong writes = new AtomicLong();
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<Future<?>> running = new ArrayList<>();

    Writers(Flowstore fs) {
      fs.collections()
          .declare(
              CollectionSpec.of("mirror_notes")
                  .withIndexed(IndexedField.string("/ref"))
                  .withUnique("/ref")
                  .withFullText("/text"));
      loop(
          i -> {
            TenantId t = TenantId.of("ev" + (i % 3));
            fs.events(t)
                .append(
                    "s-" + (i % 17),
                    ExpectedVersion.ANY,
                    List.of(
                        EventData.of("e", Json.parseObject("e", "{\"i\": " + i + "}")),
                        EventData.of("f", Json.parseObject("e", "{}"))));
          });
      loop(
          i -> {
            TenantId t = TenantId.of("jobs" + (i % 2));
            fs.queue(t)
                .enqueue(
                    NewJob.of("q", "k", Json.parseObject("j", "{\"i\": " + i + "}"))
                        .withUniqueKey("u" + (i % 5)));
            fs.queue(t).enqueue(NewJob.of("q", "k", Json.parseObject("j", "{}")));
            for (Lease l : fs.queue(t).lease("q", 2, Duration.ofMinutes(5))) {
              if (i % 3 != 1) fs.queue(t).ack(l.job().jobId(), l.token());
              else fs.queue(t).nack(l.job().jobId(), l.token(), "no", Duration.ZERO);
            }
          });
      loop(
          i -> {
            TenantId t = TenantId.of("rec");
            String id = "r" + i;
            StoredRecord r =
                fs.records(t)
                    .create(
                        "mirror_notes",
                        NewRecord.of(
                            id,
                            Json.parseObject(
                                "r", "{\"ref\": \"R" + i + "\", \"text\": \"hello " + i + "\"}")));
            r =
                fs.records(t)
                    .replace(
                        "mirror_notes",
                        id,
                        r.version(),
                        Json.parseObject("r", "{\"ref\": \"R" + i + "\", \"text\": \"bye\"}"));
            if (i % 3 == 0) fs.records(t).delete("mirror_notes", id, r.version());
          });
      loop(i -> EveryTable.fill(fs, TenantId.of("fill" + i)));
    }

    interface Work {
      void run(int i);
    }

    private void loop(Work w) {
      running.add(
          pool.submit(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    w.run(i);
                    writes.incrementAndGet();
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                }
              }));
    }

    @Override
    public void close() throws Exception {
      stop.set(true);
      for (Future<?> f : running) f.get(60, TimeUnit.SECONDS);
      pool.shutdown();
    }
  }

  private static Thread start(MirrorLoop loop) {
    Thread t = new Thread(loop, "mirror");
    t.start();
    return t;
  }

  private static void assertEqual(Flowstore a, Flowstore b) {
    Comparison report = BackendCompare.compare(a, b, 5);
    assertThat(report.tables()).filteredOn(r -> !r.equal()).isEmpty();
    assertThat(report.equal()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite"})
  void writesOfEveryKindDuringTheCopyAndAfterReachTheSecondaryAndCompareEqual(
      String from, String to) throws Exception {
    Flowstore primary = Flowstore.open(config(from));
    Flowstore secondary = Flowstore.open(config(to));
    try {
      EveryTable.fill(primary, TenantId.of("before"));
      AtomicLong writes;
      List<Throwable> failures;
      MirrorLoop loop;
      try (Writers w = new Writers(primary)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> w.writes.get() > 20);
        // the window: capture on while writers run, then the copy, then the mirror
        MIRRORING.capture(primary, true);
        assertThat(MIRRORING.state(primary).on()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> w.writes.get() > 60);
        BackendCopy.copy(
            primary, secondary, new CopyOptions(false, 200), p -> {}, Clock.systemUTC());
        loop =
            new MirrorLoop(
                primary,
                secondary,
                MIRRORING.link(primary, secondary, 300),
                Duration.ofMillis(20),
                null,
                Clock.systemUTC(),
                m -> {});
        Thread t = start(loop);
        try {
          long seen = w.writes.get();
          await().atMost(Duration.ofSeconds(60)).until(() -> loop.appliedEntries.get() > 500);
          await().atMost(Duration.ofSeconds(60)).until(() -> w.writes.get() > seen + 100);
          writes = w.writes;
          failures = w.failures;
          w.close();
          // lag reaches 0 once the writers stop
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> MIRRORING.state(primary).pending() == 0 && loop.pending.get() == 0);
        } finally {
          loop.stop();
          t.join(30_000);
        }
      }
      assertThat(failures).as("primary writes that failed").isEmpty();
      assertThat(writes.get()).isGreaterThan(100);
      assertThat(loop.errors.get()).isZero();
      assertEqual(primary, secondary);
      // the secondary's feed continues where the primary's is
      for (String tenant : List.of("ev0", "ev1", "fill0")) {
        TenantId t = TenantId.of(tenant);
        long head = 0;
        for (List<RecordedEvent> page = primary.events(t).readAll(0, 1000, null);
            !page.isEmpty();
            page = primary.events(t).readAll(head, 1000, null))
          head = page.get(page.size() - 1).position();
        secondary
            .events(t)
            .append(
                "after",
                ExpectedVersion.ANY,
                List.of(EventData.of("x", Json.parseObject("x", "{}"))));
        assertThat(secondary.events(t).readAll(head, 10, null))
            .extracting(RecordedEvent::position)
            .containsExactly(head + 1);
      }
    } finally {
      close(primary, secondary);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sqlite, postgres", "postgres, sqlite"})
  void aSecondaryDownForAWhileCatchesUpWithNothingLost(String from, String to) throws Exception {
    Flowstore primary = Flowstore.open(config(from));
    Flowstore secondary = Flowstore.open(config(to));
    FaultyDataSource faulty = new FaultyDataSource();
    Flowstore flaky = ((JdbcFlowstore) secondary).withWriter(faulty::wrap);
    try {
      EveryTable.fill(primary, TenantId.of("a"));
      MIRRORING.capture(primary, true);
      BackendCopy.copy(primary, secondary, new CopyOptions(false, 500), p -> {}, Clock.systemUTC());
      MirrorLoop loop =
          new MirrorLoop(
              primary,
              flaky,
              MIRRORING.link(primary, flaky, 100),
              Duration.ofMillis(20),
              null,
              Clock.systemUTC(),
              m -> {});
      // the secondary fails every commit: down
      faulty.arm(FaultyDataSource.Fault.LOST_BEFORE_COMMIT, 0, Integer.MAX_VALUE);
      Thread t = start(loop);
      List<Throwable> failures;
      try (Writers w = new Writers(primary)) {
        failures = w.failures;
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> loop.errors.get() >= 3 && w.writes.get() > 50);
        assertThat(MIRRORING.state(primary).pending()).isPositive();
        assertThat(loop.appliedEntries.get()).isZero();
        // back up while the writers go on
        faulty.disarm();
        await().atMost(Duration.ofSeconds(60)).until(() -> loop.appliedEntries.get() > 0);
      } finally {
        await().atMost(Duration.ofSeconds(60)).until(() -> MIRRORING.state(primary).pending() == 0);
        loop.stop();
        t.join(30_000);
      }
      assertThat(failures).isEmpty();
      assertThat(loop.lastError.get()).isNull();
      assertEqual(primary, secondary);
    } finally {
      close(primary, secondary);
    }
  }

  /**
   * A mirror killed at the worst moments: the secondary's commit lost (before, or after it
   * committed), the primary's log not trimmed after the secondary committed. A new link (a
   * restarted process) replays: no row lost, none twice.
   */
  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource({
    "LOST_AFTER_COMMIT, sqlite, postgres",
    "LOST_BEFORE_COMMIT, sqlite, postgres",
    "LOST_AFTER_COMMIT, postgres, sqlite",
    "LOST_BEFORE_COMMIT, postgres, sqlite"
  })
  void aMirrorKilledMidBatchIsRestartedWithoutALostOrDuplicatedRow(
      FaultyDataSource.Fault fault, String from, String to) {
    Flowstore primary = Flowstore.open(config(from));
    Flowstore secondary = Flowstore.open(config(to));
    FaultyDataSource onSecondary = new FaultyDataSource();
    FaultyDataSource onPrimary = new FaultyDataSource();
    Flowstore flakySecondary = ((JdbcFlowstore) secondary).withWriter(onSecondary::wrap);
    Flowstore flakyPrimary = ((JdbcFlowstore) primary).withWriter(onPrimary::wrap);
    try {
      EveryTable.fill(primary, TenantId.of("a"));
      MIRRORING.capture(primary, true);
      BackendCopy.copy(primary, secondary, new CopyOptions(false, 500), p -> {}, Clock.systemUTC());
      EveryTable.fill(primary, TenantId.of("b"));
      primary
          .events(TenantId.of("a"))
          .append(
              "more", ExpectedVersion.ANY, List.of(EventData.of("m", Json.parseObject("m", "{}"))));
      long logged = MIRRORING.state(primary).pending();
      assertThat(logged).isGreaterThan(20);

      // the secondary's commit of the first batch is lost
      Mirroring.Link first = MIRRORING.link(flakyPrimary, flakySecondary, 10);
      onSecondary.arm(fault, 0, 1);
      assertThatThrownBy(first::step).isInstanceOf(FlowstoreException.class);
      assertThat(onSecondary.injected()).isEqualTo(1);
      assertThat(MIRRORING.state(primary).pending()).isEqualTo(logged);

      // a restarted mirror: the secondary commits, the primary's trim is lost
      Mirroring.Link second = MIRRORING.link(flakyPrimary, flakySecondary, 10);
      onPrimary.arm(fault, 0, 1);
      assertThatThrownBy(second::step).isInstanceOf(FlowstoreException.class);
      assertThat(onPrimary.injected()).isEqualTo(1);

      // and again, with nothing failing, to the end
      Mirroring.Link third = MIRRORING.link(primary, secondary, 10);
      while (third.step().entries() > 0) {}
      assertThat(MIRRORING.state(primary).pending()).isZero();
      assertEqual(primary, secondary);
    } finally {
      close(primary, secondary);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"sqlite", "postgres"})
  void anAppendOfManyEventsLogsOneRangeAndTheMirrorCarriesThemAll(String backend) {
    Flowstore primary = Flowstore.open(config(backend));
    Flowstore secondary = Flowstore.open(config(backend.equals("sqlite") ? "postgres" : "sqlite"));
    try {
      TenantId t = TenantId.of("a");
      List<EventData> hundred = new ArrayList<>();
      for (int i = 0; i < 100; i++)
        hundred.add(EventData.of("e", Json.parseObject("e", "{\"i\": " + i + "}")));
      primary.events(t).append("first", ExpectedVersion.ANY, hundred);
      MIRRORING.capture(primary, true);
      BackendCopy.copy(primary, secondary, new CopyOptions(false, 500), p -> {}, Clock.systemUTC());
      primary.events(t).append("second", ExpectedVersion.ANY, hundred);
      primary.events(t).append("third", ExpectedVersion.ANY, hundred);
      // a range entry [first, last] per insert statement, not one entry per event: SQLite's one
      // per append (the feed head moved), PostgreSQL's one per statement the driver sends (it
      // rewrites a batch of 100 as multi-row inserts of 64, 32 and 4 rows)
      JdbcFlowstore jp = (JdbcFlowstore) primary;
      List<String> logged =
          jp.system(
              c ->
                  Columns.list(
                      c,
                      new Sql(
                          jp.dialect(),
                          "SELECT table_name, row_key FROM mirror_changes"
                              + " WHERE table_name LIKE 'events%' ORDER BY id"),
                      rs -> rs.getString(1) + " " + rs.getString(2).replace(" ", "")));
      assertThat(logged).hasSizeBetween(2, 6).allMatch(e -> e.startsWith("events:range ["));
      long next = 101;
      for (String e : logged) {
        String[] range = e.replaceAll(".*\\[|\\]", "").split(",");
        assertThat(Long.parseLong(range[0])).isEqualTo(next);
        next = Long.parseLong(range[1]) + 1;
      }
      assertThat(next).isEqualTo(301);
      // a batch of at most 150 rows: a range counts as its events, so the second append's waits
      Mirroring.Step small = MIRRORING.link(primary, secondary, 150).step();
      assertThat(small.full()).isTrue();
      assertThat(small.entries()).isLessThan(logged.size());
      assertThat(small.upserted()).isBetween(100, 150);
      Mirroring.Link link = MIRRORING.link(primary, secondary, 1000);
      Mirroring.Step step = link.step();
      assertThat(step.upserted()).isGreaterThanOrEqualTo(100);
      assertThat(step.full()).isFalse();
      assertThat(link.step().entries()).isZero();
      assertThat(MIRRORING.state(primary).pending()).isZero();
      assertEqual(primary, secondary);
    } finally {
      close(primary, secondary);
    }
  }

  @Test
  void refusesASecondaryWithoutACopyAndAPrimaryThatDoesNotCapture() {
    Flowstore primary = Flowstore.open(config("sqlite"));
    Flowstore secondary = Flowstore.open(config("postgres"));
    try {
      EveryTable.fill(primary, TenantId.of("a"));
      assertThatThrownBy(() -> MIRRORING.link(primary, secondary, 10).step())
          .isInstanceOf(FlowstoreException.class)
          .hasMessageContaining("mirror capture on");
      MIRRORING.capture(primary, true);
      assertThatThrownBy(() -> MIRRORING.link(primary, secondary, 10).step())
          .isInstanceOf(FlowstoreException.class)
          .hasMessageContaining("holds no finished copy");
      // capture off drops the triggers and the log: writes cost nothing again
      primary
          .events(TenantId.of("a"))
          .append(
              "x", ExpectedVersion.ANY, List.of(EventData.of("m", Json.parseObject("m", "{}"))));
      assertThat(MIRRORING.state(primary).pending()).isPositive();
      MIRRORING.capture(primary, false);
      assertThat(MIRRORING.state(primary))
          .isEqualTo(new Mirroring.CaptureState(false, 0, java.util.Optional.empty()));
      primary
          .events(TenantId.of("a"))
          .append(
              "x", ExpectedVersion.ANY, List.of(EventData.of("m", Json.parseObject("m", "{}"))));
      assertThat(MIRRORING.state(primary).pending()).isZero();
    } finally {
      close(primary, secondary);
    }
  }

  @SuppressWarnings("unused")
  private static long rows(Comparison c) {
    return c.tables().stream().mapToLong(TableComparison::countA).sum();
  }
}
