package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.MirrorLoop;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror (docs/mirror.md "The Redis queue") with a private redis-server (AOF, {@code
 * appendfsync always}) SIGKILLed in the middle of the window and restarted, while writers go on:
 *
 * <ul>
 *   <li>Redis as the <b>secondary's</b> queue (SQLite primary -> PostgreSQL + Redis): batches whose
 *       store part committed and whose Redis part failed are applied again; no primary write fails.
 *   <li>Redis as the <b>primary's</b> queue (PostgreSQL + Redis -> SQLite): the change log is in
 *       the AOF with the jobs (one atomic script each), so the mirror resumes where it was;
 *       enqueues refused while Redis is down are the writers' to retry, every acknowledged one
 *       arrives.
 * </ul>
 *
 * Both end with the lag 0 and compare equal.
 */
class MirrorRedisCrashTest {
  @Test
  void aRedisSecondaryKilledMidWindowCatchesUpWithNothingLost(@TempDir Path dir) throws Exception {
    List<Throwable> failures = window(dir, false);
    assertThat(failures).as("primary writes that failed").isEmpty();
  }

  @Test
  void aRedisPrimaryKilledMidWindowLosesNoAcknowledgedJob(@TempDir Path dir) throws Exception {
    List<Throwable> failures = window(dir, true);
    // refused while Redis was down: the writers' to retry; nothing else may fail
    assertThat(failures)
        .as("primary writes that failed other than by Redis being down")
        .allMatch(
            e ->
                e instanceof dev.flowstore.FlowstoreException f
                    && (f.code() == dev.flowstore.ErrorCode.BACKEND_UNAVAILABLE
                        || f.code() == dev.flowstore.ErrorCode.OUTCOME_UNKNOWN));
  }

  /**
   * A window between SQLite and PostgreSQL + a private Redis queue ({@code redisPrimary}: the
   * latter is the primary), Redis killed in the middle of it while writers go on; ends with the lag
   * 0 and both sides equal. Returns the writers' failed calls.
   */
  private static List<Throwable> window(Path dir, boolean redisPrimary) throws Exception {
    ChaosTestSettings.requirePrivateServers();
    FlowstoreConfig pg = TestBackends.postgres();
    try (PrivateServers.Redis redis = PrivateServers.Redis.start(dir, "redis");
        Flowstore sqlite = Flowstore.open(ChaosStores.sqlite(dir.resolve("sqlite")));
        Flowstore withRedis =
            Flowstore.open(
                ChaosStores.postgres(
                    pg.given("POSTGRES_DSN"),
                    pg.given("POSTGRES_SCHEMA"),
                    Map.of("FLOWSTORE_QUEUE_BACKEND", "redis", "REDIS_DSN", redis.dsn())));
        ChaosStores.Quiet q = quietRedis()) {
      Flowstore primary = redisPrimary ? withRedis : sqlite;
      Flowstore secondary = redisPrimary ? sqlite : withRedis;
      Window w = Window.open(primary, secondary);
      // why no events with a Redis primary: its appends are the PostgreSQL store's, not Redis's
      Writers writers = new Writers(primary, !redisPrimary);
      try {
        w.crashMidWindow(redis, writers);
      } finally {
        writers.stop();
      }
      w.close(primary);
      assertThat(writers.acked).isNotEmpty();
      w.assertEqual(primary, secondary);
      return writers.failures;
    } finally {
      TestBackends.drop(pg);
    }
  }

  private static ChaosStores.Quiet quietRedis() {
    return ChaosStores.quiet(
        "io.lettuce.core.protocol.ConnectionWatchdog",
        "io.lettuce.core.protocol.ReconnectionHandler",
        "dev.flowstore.redis.internal.RedisQueueBackend",
        "dev.flowstore.redis.internal.RedisQueue");
  }

  /**
   * Writes on the primary from a thread of its own: appends, enqueues, and some leases and acks.
   */
  private static final class Writers {
    final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    final List<UUID> acked = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong writes = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Writers(Flowstore primary, boolean events) {
      thread =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  TenantId t = TenantId.of("w" + (i % 3));
                  try {
                    if (events)
                      primary
                          .events(t)
                          .append(
                              "s-" + (i % 7),
                              ExpectedVersion.ANY,
                              List.of(EventData.of("e", Json.parseObject("e", "{}"))));
                    acked.add(
                        primary
                            .queue(t)
                            .enqueue(NewJob.of("q", "k", Json.parseObject("j", "{}")))
                            .value()
                            .jobId());
                    if (i % 5 == 0)
                      for (Lease l : primary.queue(t).lease("q", 2, Duration.ofMinutes(5)))
                        primary.queue(t).ack(l.jobId(), l.token());
                    writes.incrementAndGet();
                  } catch (Throwable e) {
                    failures.add(e);
                    // why: while Redis is down every call fails at once; no need to spin
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                  }
                }
              },
              "writer");
      thread.start();
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(60_000);
    }
  }

  /** Capture on, the copy, and a mirror loop running. */
  private record Window(Mirroring m, MirrorLoop loop, Thread thread) {
    static Window open(Flowstore primary, Flowstore secondary) {
      Mirroring m = Mirroring.find(primary, secondary);
      m.capture(primary, true);
      BackendSwitch.find(primary, secondary)
          .copy(
              primary,
              secondary,
              new BackendSwitch.CopyOptions(false, 500),
              p -> {},
              Clock.systemUTC());
      MirrorLoop loop =
          new MirrorLoop(
              primary,
              secondary,
              m.link(primary, secondary, 50),
              Duration.ofMillis(20),
              null,
              Clock.systemUTC(),
              line -> {});
      Thread t = new Thread(loop, "mirror");
      t.start();
      return new Window(m, loop, t);
    }

    /** Runs a while, kills Redis, lets the mirror fail a few times, restarts it. */
    void crashMidWindow(PrivateServers.Redis redis, Writers writers) throws Exception {
      await().atMost(Duration.ofSeconds(60)).until(() -> writers.writes.get() > 200);
      redis.crash();
      long errors = loop.errors.get();
      await().atMost(Duration.ofSeconds(60)).until(() -> loop.errors.get() >= errors + 3);
      redis.start();
      long seen = writers.writes.get();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> loop.lastError.get() == null && writers.writes.get() > seen + 200);
    }

    void close(Flowstore primary) throws InterruptedException {
      await().atMost(Duration.ofSeconds(120)).until(() -> m.state(primary).pending() == 0);
      loop.stop();
      thread.join(60_000);
    }

    void assertEqual(Flowstore primary, Flowstore secondary) {
      BackendSwitch.Comparison c =
          BackendSwitch.find(primary, secondary).compare(primary, secondary, 5);
      assertThat(c.tables()).filteredOn(r -> !r.equal()).isEmpty();
      assertThat(c.equal()).as("%s", c).isTrue();
    }
  }
}
