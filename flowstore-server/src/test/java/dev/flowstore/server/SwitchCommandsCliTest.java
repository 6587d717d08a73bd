package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
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
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowstore copy}, {@code compare} and {@code maintenance}, run in-process. */
class SwitchCommandsCliTest {
  @TempDir Path tmp;

  /** The target spec of a PostgreSQL test store: its DSN with {@code schema=}. */
  private static String spec(FlowstoreConfig pg) {
    String dsn = pg.given("POSTGRES_DSN");
    return dsn + (dsn.contains("?") ? "&" : "?") + "schema=" + pg.given("POSTGRES_SCHEMA");
  }

  @Test
  void copyThenCompareFromSqliteToPostgresAndBackFindsACorruptedRow() {
    Path data = tmp.resolve("data");
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data))) {
      EveryTable.fill(fs, TenantId.of("acme"));
      EveryTable.fill(fs, TenantId.of("bolt"));
    }
    FlowstoreConfig pg = TestBackends.postgres();
    Map<String, String> env = Map.of();
    String source = "sqlite:" + data;
    String target = spec(pg);
    try {
      Run copy = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target);
      assertThat(copy.code()).as(copy.err()).isZero();
      assertThat(copy.out()).containsPattern("copied \\d+ rows of \\d+ tables and 2 tenants");
      assertThat(copy.err())
          .contains("the source is not in maintenance")
          .containsPattern("copy: (\\d+)/\\1 rows \\(100%\\), \\d+ rows/s, .* left");

      Run equal = FlowstoreCliTest.run(env, "compare", source, target);
      assertThat(equal.code()).as(equal.out() + equal.err()).isZero();
      assertThat(equal.out()).contains("equal: ");
      Run json = FlowstoreCliTest.run(env, "compare", "--json", target, source);
      assertThat(json.code()).isZero();
      JsonNode report = Json.parse("report", json.out());
      assertThat(report.get("equal").asBoolean()).isTrue();
      assertThat(report.get("tables").get(0).get("digest_a").asText())
          .isEqualTo(report.get("tables").get(0).get("digest_b").asText())
          .hasSize(16);

      // a second copy into the same target is refused, a resumed one has nothing to do
      Run again = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target);
      assertThat(again.code()).isEqualTo(2);
      assertThat(again.err()).contains("--resume");
      Run resumed = FlowstoreCliTest.run(env, "copy", "--from", source, "--to", target, "--resume");
      assertThat(resumed.code()).isZero();
      assertThat(resumed.out()).contains("nothing to do");

      TestBackends.executeAsOwner(
          pg, "UPDATE flows SET name = 'Tampered' WHERE flow_id = 'review'");
      Run different = FlowstoreCliTest.run(env, "compare", source, target);
      assertThat(different.code()).isEqualTo(1);
      assertThat(different.out())
          .contains("DIFFERENT flows tenant acme", "values differ; name a=Review b=Tampered");
      Run diffJson = FlowstoreCliTest.run(env, "compare", "--json", source, target);
      assertThat(diffJson.code()).isEqualTo(1);
      assertThat(Json.parse("report", diffJson.out()).get("equal").asBoolean()).isFalse();

      // and back to a fresh SQLite file
      String back = "sqlite:" + tmp.resolve("back");
      Run copyBack = FlowstoreCliTest.run(env, "copy", "--from", target, "--to", back);
      assertThat(copyBack.code()).as(copyBack.err()).isZero();
      assertThat(FlowstoreCliTest.run(env, "compare", target, back).code()).isZero();
    } finally {
      TestBackends.drop(pg);
    }
  }

  /**
   * A deployment with its queue on Redis, named with --from-queue / --to-queue / --queue-a /
   * --queue-b: PostgreSQL + Redis -> SQLite (SQL queue) -> PostgreSQL + Redis (another environment
   * name), compared equal each time; a job changed in Redis is named; a non-empty target queue is
   * refused. Redis database 2 (RedisQueueSwitchTest's), keys of this test's environments only.
   */
  @Test
  void copyAndCompareADeploymentWithARedisQueue() {
    String envA = "qscli" + Long.toHexString(System.nanoTime());
    String envB = envA + "b";
    String redis = TestBackends.redisDsn(2);
    FlowstoreConfig pg =
        TestBackends.postgres(
            Map.of("FLOWSTORE_QUEUE_BACKEND", "redis", "REDIS_DSN", redis, "FLOWSTORE_ENV", envA));
    FlowstoreConfig pg2 = TestBackends.postgres();
    java.util.UUID changed;
    try (Flowstore fs = Flowstore.open(pg)) {
      dev.flowstore.Queue q = fs.queue(TenantId.of("acme"));
      com.fasterxml.jackson.databind.node.ObjectNode p =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("n", 1);
      changed = q.enqueue(dev.flowstore.NewJob.of("mail", "send", p)).value().jobId();
      q.enqueue(dev.flowstore.NewJob.of("mail", "send", p).withMaxAttempts(1));
      q.enqueue(dev.flowstore.NewJob.of("mail", "send", p));
      dev.flowstore.Lease first = q.lease("mail", 1, Duration.ofMinutes(5)).get(0);
      q.ack(first.jobId(), first.token());
      dev.flowstore.Lease second = q.lease("mail", 1, Duration.ofMinutes(5)).get(0);
      q.nack(second.jobId(), second.token(), "boom", null);
      q.lease("mail", 1, Duration.ofMinutes(5));
      q.enqueue(dev.flowstore.NewJob.of("mail", "send", p));
    }
    Path data = tmp.resolve("rollback");
    String queueA = redis + "?env=" + envA;
    String queueB = redis + "?env=" + envB;
    try {
      Run copy =
          FlowstoreCliTest.run(
              Map.of(),
              "copy",
              "--from",
              spec(pg),
              "--from-queue",
              queueA,
              "--to",
              "sqlite:" + data);
      assertThat(copy.code()).as(copy.err()).isZero();
      assertThat(copy.err()).contains("[jobs (queue), tenant acme]");
      assertThat(copy.out()).contains("--queue-a " + queueA);
      Run equal =
          FlowstoreCliTest.run(
              Map.of(), "compare", "--json", spec(pg), "sqlite:" + data, "--queue-a", queueA);
      assertThat(equal.code()).as(equal.out() + equal.err()).isZero();
      JsonNode jobs = null;
      for (JsonNode t : Json.parse("report", equal.out()).get("tables"))
        if (t.get("table").asText().equals("jobs")) jobs = t;
      assertThat(jobs).isNotNull();
      assertThat(jobs.get("count_a").asLong()).isEqualTo(4);
      assertThat(jobs.get("count_b").asLong()).isEqualTo(4);
      // without naming A's queue, A's SQL store holds only the DLQ's job: different
      assertThat(FlowstoreCliTest.run(Map.of(), "compare", spec(pg), "sqlite:" + data).code())
          .isEqualTo(1);

      Run forward =
          FlowstoreCliTest.run(
              Map.of(),
              "copy",
              "--from",
              "sqlite:" + data,
              "--to",
              spec(pg2),
              "--to-queue",
              queueB,
              "--batch-size",
              "2");
      assertThat(forward.code()).as(forward.err()).isZero();
      Run same =
          FlowstoreCliTest.run(
              Map.of(), "compare", spec(pg), spec(pg2), "--queue-a", queueA, "--queue-b", queueB);
      assertThat(same.code()).as(same.out() + same.err()).isZero();
      assertThat(same.out()).contains("equal: ");

      Run refused =
          FlowstoreCliTest.run(
              Map.of(),
              "copy",
              "--from",
              "sqlite:" + data,
              "--to",
              "sqlite:" + tmp.resolve("other"),
              "--to-queue",
              queueB);
      assertThat(refused.code()).isEqualTo(2);
      assertThat(refused.err()).contains("holds a copy from");

      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis);
      try (var c = client.connect()) {
        c.sync().hset("flowstore:" + envB + ":{acme}:#job:" + changed, "job_type", "tampered");
      } finally {
        client.shutdown();
      }
      Run different =
          FlowstoreCliTest.run(
              Map.of(), "compare", "sqlite:" + data, spec(pg2), "--queue-b", queueB);
      assertThat(different.code()).isEqualTo(1);
      assertThat(different.out())
          .contains(
              "DIFFERENT jobs tenant acme",
              "{job_id=" + changed + "}: values differ; job_type a=send b=tampered");
    } finally {
      TestBackends.drop(pg2);
      deleteRedisKeys(redis, envA);
      deleteRedisKeys(redis, envB);
    }
  }

  private static void deleteRedisKeys(String dsn, String env) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(dsn);
    try (var c = client.connect()) {
      java.util.List<String> keys = c.sync().keys("flowstore:" + env + ":*");
      if (!keys.isEmpty()) c.sync().unlink(keys.toArray(String[]::new));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void compareExits2WhenItCannotCompare() {
    Run missing =
        FlowstoreCliTest.run(Map.of(), "compare", "sqlite:" + tmp.resolve("none"), "sqlite:x");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("there is no flowstore database at", "could not compare");
    Run redis =
        FlowstoreCliTest.run(
            Map.of(), "copy", "--from", "redis://127.0.0.1:6379/0", "--to", "sqlite:y");
    assertThat(redis.code()).isEqualTo(2);
    assertThat(redis.err()).contains("--from-queue");
    Run badQueue =
        FlowstoreCliTest.run(
            Map.of(), "compare", "sqlite:x", "sqlite:y", "--queue-a", "memcached://x");
    assertThat(badQueue.code()).isEqualTo(2);
    assertThat(badQueue.err()).contains("--queue-a: 'memcached://x' is not redis://");
    Run nonsense = FlowstoreCliTest.run(Map.of(), "compare", "mysql://x", "sqlite:y");
    assertThat(nonsense.code()).isEqualTo(2);
    assertThat(nonsense.err()).contains("is not sqlite:<data dir>");
    assertThat(FlowstoreCliTest.run(Map.of(), "compare", "sqlite:x").code()).isEqualTo(2);
  }

  @Test
  void maintenanceSwitchedByTheCliFreezesARunningServersWrites() throws Exception {
    Path data = tmp.resolve("data");
    Map<String, String> env = Map.of("FLOWSTORE_DATA_DIR", data.toString());
    HttpClient http = HttpClient.newHttpClient();
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(data));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
      URI append = server.uri().resolve("/v1/streams/s-1/events");
      HttpRequest write =
          HttpRequest.newBuilder(append)
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"events\": [{\"type\": \"x\", \"payload\": {}}]}"))
              .header("Content-Type", "application/json")
              .build();
      assertThat(http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(201);

      Run on = FlowstoreCliTest.run(env, "maintenance", "on", "--reason", "moving to PostgreSQL");
      assertThat(on.code()).as(on.err()).isZero();
      assertThat(on.out()).startsWith("maintenance: on since ").contains("moving to PostgreSQL");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode() == 503);
      HttpResponse<String> refused = http.send(write, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.headers().firstValue("Retry-After")).contains("30");
      assertThat(Json.parse("r", refused.body()).at("/error/code").asText())
          .isEqualTo("MAINTENANCE");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(append).GET().build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      assertThat(FlowstoreCliTest.run(env, "maintenance", "status").out())
          .contains("maintenance: on since");

      Run off = FlowstoreCliTest.run(env, "maintenance", "off");
      assertThat(off.out()).isEqualToIgnoringNewLines("maintenance: off");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> http.send(write, HttpResponse.BodyHandlers.ofString()).statusCode() == 201);
    }
    assertThat(FlowstoreCliTest.run(env, "maintenance").code()).isEqualTo(2);
    Run blank = FlowstoreCliTest.run(env, "maintenance", "on", "--reason", " ");
    assertThat(blank.code()).isEqualTo(1);
    assertThat(blank.err()).contains("reason");
  }
}
