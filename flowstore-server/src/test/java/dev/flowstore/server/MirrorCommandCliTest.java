package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewJob;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.server.FlowstoreCliTest.Run;
import dev.flowstore.testkit.EveryTable;
import dev.flowstore.testkit.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowstore mirror capture|run}, in-process: the window SQLite -> PostgreSQL, and PostgreSQL
 * + the Redis queue -> SQLite (the runbook's rollback readiness).
 */
class MirrorCommandCliTest {
  @TempDir Path tmp;

  private static String spec(FlowstoreConfig pg) {
    String dsn = pg.given("POSTGRES_DSN");
    return dsn + (dsn.contains("?") ? "&" : "?") + "schema=" + pg.given("POSTGRES_SCHEMA");
  }

  private static void write(Flowstore fs, TenantId t, int i) {
    fs.events(t)
        .append(
            "s-" + i, ExpectedVersion.ANY, List.of(EventData.of("e", Json.parseObject("e", "{}"))));
    fs.queue(t).enqueue(NewJob.of("q", "k", Json.parseObject("j", "{\"i\": " + i + "}")));
  }

  @Test
  void captureCopyThenMirrorUntilCaughtUpAndAsALongRunningProcessWithMetrics() throws Exception {
    Path data = tmp.resolve("data");
    FlowstoreConfig pg = TestBackends.postgres();
    Map<String, String> env = Map.of();
    String primary = "sqlite:" + data;
    String secondary = spec(pg);
    TenantId t = TenantId.of("acme");
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data))) {
      EveryTable.fill(fs, t);
      // before the copy: refused, not retried for ever
      Run early = FlowstoreCliTest.run(env, "mirror", "run", "--from", primary, "--to", secondary);
      assertThat(early.code()).isEqualTo(2);
      assertThat(early.err()).contains("does not capture its changes");
      Run on = FlowstoreCliTest.run(env, "mirror", "capture", "on", "--from", primary);
      assertThat(on.code()).as(on.err()).isZero();
      assertThat(on.out()).contains("capture: on", "0 entries pending", "flowstore copy --from");
      write(fs, t, 1);
      Run copy = FlowstoreCliTest.run(env, "copy", "--from", primary, "--to", secondary);
      assertThat(copy.code()).as(copy.err()).isZero();
      assertThat(copy.err())
          .contains("the source captures its changes for a mirror")
          .doesNotContain("not in maintenance");
      for (int i = 2; i < 10; i++) write(fs, t, i);
      Run status = FlowstoreCliTest.run(env, "mirror", "capture", "status", "--from", primary);
      assertThat(status.out()).containsPattern("capture: on .*: [1-9]\\d* entries pending");

      Run drain =
          FlowstoreCliTest.run(
              env, "mirror", "run", "--from", primary, "--to", secondary, "--until-caught-up");
      assertThat(drain.code()).as(drain.err()).isZero();
      assertThat(drain.out()).containsPattern("caught up: applied [1-9]\\d* entries");
      assertThat(FlowstoreCliTest.run(env, "compare", primary, secondary).code()).isZero();

      // the long-running process, its metrics, stopped by an interrupt (as by SIGTERM)
      int port = TestBackends.freePort();
      AtomicReference<Run> result = new AtomicReference<>();
      Thread mirror =
          new Thread(
              () ->
                  result.set(
                      FlowstoreCliTest.run(
                          env,
                          "mirror",
                          "run",
                          "--from",
                          primary,
                          "--to",
                          secondary,
                          "--metrics-port",
                          Integer.toString(port),
                          "--poll",
                          "50ms",
                          "--compare-every",
                          "1s",
                          // why: in this JVM, the tests' own threads must keep their priority
                          "--nice",
                          "0")));
      mirror.start();
      for (int i = 10; i < 30; i++) write(fs, t, i);
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                String m = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                return m.contains("\nflowstore_mirror_pending_entries 0\n")
                    && m.contains("\nflowstore_mirror_divergent_tables 0\n")
                    && m.matches("(?s).*\\nflowstore_mirror_applied_entries_total [1-9]\\d*\\n.*")
                    && m.contains("\nflowstore_mirror_errors_total 0\n");
              });
      mirror.interrupt();
      mirror.join(30_000);
      assertThat(result.get().code()).as(result.get().err()).isZero();
      assertThat(result.get().err()).contains("mirroring ", "/metrics");
      assertThat(FlowstoreCliTest.run(env, "compare", primary, secondary).code()).isZero();

      Run off = FlowstoreCliTest.run(env, "mirror", "capture", "off", "--from", primary);
      assertThat(off.out()).contains("capture: off");
    } finally {
      TestBackends.drop(pg);
    }
  }

  /**
   * The runbook's window after going forward: PostgreSQL + the Redis queue serve, SQLite follows
   * (--from-queue on capture, copy and run); jobs enqueued, leased and acked after the copy are
   * carried, and compare (with --queue-a) finds both equal. Redis database 2, keys of this test's
   * environment only.
   */
  @Test
  void aDeploymentOnTheRedisQueueIsMirroredIntoSqlite() {
    String envName = "mqcli" + Long.toHexString(System.nanoTime());
    String redis = TestBackends.redisDsn(2);
    FlowstoreConfig pg =
        TestBackends.postgres(
            Map.of(
                "FLOWSTORE_QUEUE_BACKEND", "redis", "REDIS_DSN", redis, "FLOWSTORE_ENV", envName));
    Map<String, String> env = Map.of();
    String primary = spec(pg);
    String queue = redis + "?env=" + envName;
    String secondary = "sqlite:" + tmp.resolve("way-back");
    TenantId t = TenantId.of("acme");
    try (Flowstore fs = Flowstore.open(pg)) {
      write(fs, t, 0);
      Run on =
          FlowstoreCliTest.run(
              env, "mirror", "capture", "on", "--from", primary, "--from-queue", queue);
      assertThat(on.code()).as(on.err()).isZero();
      assertThat(on.out()).contains("capture: on", "--from-queue " + queue);
      Run copy =
          FlowstoreCliTest.run(
              env, "copy", "--from", primary, "--from-queue", queue, "--to", secondary);
      assertThat(copy.code()).as(copy.err()).isZero();
      for (int i = 1; i < 6; i++) write(fs, t, i);
      for (dev.flowstore.Lease l : fs.queue(t).lease("q", 3, Duration.ofMinutes(5)))
        fs.queue(t).ack(l.jobId(), l.token());
      fs.queue(TenantId.of("globex")).enqueue(NewJob.of("q", "k", Json.parseObject("j", "{}")));
      Run drain =
          FlowstoreCliTest.run(
              env,
              "mirror",
              "run",
              "--from",
              primary,
              "--from-queue",
              queue,
              "--to",
              secondary,
              "--until-caught-up");
      assertThat(drain.code()).as(drain.err()).isZero();
      assertThat(drain.out()).contains("caught up", "0 entries pending");
      Run compare = FlowstoreCliTest.run(env, "compare", primary, secondary, "--queue-a", queue);
      assertThat(compare.code()).as(compare.out() + compare.err()).isZero();
      // without --from-queue it is another primary (its jobs would not be carried): refused
      Run storeOnly =
          FlowstoreCliTest.run(
              env, "mirror", "run", "--from", primary, "--to", secondary, "--until-caught-up");
      assertThat(storeOnly.code()).isEqualTo(2);
      assertThat(storeOnly.err()).contains("mirrors ", ", queue redis://", ", not postgres");
      Run off =
          FlowstoreCliTest.run(
              env, "mirror", "capture", "off", "--from", primary, "--from-queue", queue);
      assertThat(off.out()).contains("capture: off");
    } finally {
      TestBackends.drop(pg);
      deleteRedisKeys(redis, envName);
    }
  }

  /**
   * The forward window onto production's layout: SQLite serves, PostgreSQL + the Redis queue
   * follows (--to-queue on copy and run); compare with --queue-b finds both equal. Redis database
   * 2, keys of this test's environment only.
   */
  @Test
  void sqliteIsMirroredIntoADeploymentOnTheRedisQueue() {
    String envName = "mqfwd" + Long.toHexString(System.nanoTime());
    String redis = TestBackends.redisDsn(2);
    FlowstoreConfig pg = TestBackends.postgres();
    Map<String, String> env = Map.of();
    Path data = tmp.resolve("serving");
    String primary = "sqlite:" + data;
    String secondary = spec(pg);
    String queue = redis + "?env=" + envName;
    TenantId t = TenantId.of("acme");
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data))) {
      write(fs, t, 0);
      assertThat(FlowstoreCliTest.run(env, "mirror", "capture", "on", "--from", primary).code())
          .isZero();
      Run copy =
          FlowstoreCliTest.run(
              env, "copy", "--from", primary, "--to", secondary, "--to-queue", queue);
      assertThat(copy.code()).as(copy.err()).isZero();
      for (int i = 1; i < 6; i++) write(fs, t, i);
      for (dev.flowstore.Lease l : fs.queue(t).lease("q", 3, Duration.ofMinutes(5)))
        fs.queue(t).ack(l.jobId(), l.token());
      Run drain =
          FlowstoreCliTest.run(
              env,
              "mirror",
              "run",
              "--from",
              primary,
              "--to",
              secondary,
              "--to-queue",
              queue,
              "--until-caught-up");
      assertThat(drain.code()).as(drain.err()).isZero();
      Run compare = FlowstoreCliTest.run(env, "compare", primary, secondary, "--queue-b", queue);
      assertThat(compare.code()).as(compare.out() + compare.err()).isZero();
    } finally {
      TestBackends.drop(pg);
      deleteRedisKeys(redis, envName);
    }
  }

  private static void deleteRedisKeys(String dsn, String envName) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(dsn);
    try (var c = client.connect()) {
      List<String> keys = c.sync().keys("flowstore:" + envName + ":*");
      if (!keys.isEmpty()) c.sync().unlink(keys.toArray(String[]::new));
    } finally {
      client.shutdown();
    }
  }
}
