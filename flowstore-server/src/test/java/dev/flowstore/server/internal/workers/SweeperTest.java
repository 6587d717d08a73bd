package dev.flowstore.server.internal.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.NewSession;
import dev.flowstore.Outbox;
import dev.flowstore.OutboxMessage;
import dev.flowstore.Queue;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordRetention;
import dev.flowstore.ResumeHandle;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.Json;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The sweeper expires sessions, resume handles, queue leases and idempotency keys of every tenant,
 * finishes interrupted DLQ transitions and deletes finished jobs and outbox messages past their
 * retention, with time from a clock the test moves (no sleeping).
 */
class SweeperTest {
  @Test
  void expiresDueSessionsOfEveryTenantAndNothingElse() {
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp())) {
      List<Session> due = new ArrayList<>();
      List<Session> kept = new ArrayList<>();
      for (String t : List.of("a", "b")) {
        TenantId tenant = TenantId.of(t);
        for (int i = 0; i < Sweeper.BATCH + 2; i++)
          due.add(fs.sessions(tenant).create(NewSession.builder().ttlSeconds(60).build()));
        kept.add(fs.sessions(tenant).create(NewSession.builder().ttlSeconds(7200).build()));
        kept.add(fs.sessions(tenant).create(NewSession.builder().build()));
      }
      Clock soon = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(30));
      assertThat(Sweeper.manual(fs, soon).sweep()).isZero();
      Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
      assertThat(Sweeper.manual(fs, later).sweep()).isEqualTo(due.size());
      for (String t : List.of("a", "b")) {
        TenantId tenant = TenantId.of(t);
        assertThat(fs.sessions(tenant).list(SessionStatus.EXPIRED, null, 1000, null).sessions())
            .hasSize(Sweeper.BATCH + 2);
        assertThat(fs.sessions(tenant).list(SessionStatus.ACTIVE, null, 1000, null).sessions())
            .hasSize(2);
      }
      assertThat(Sweeper.manual(fs, later).sweep()).isZero();
    }
  }

  @Test
  void expiresDueResumeHandlesOfEveryTenantAndNothingElse() {
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp())) {
      Instant inAMinute = Instant.now().plusSeconds(60);
      List<UUID> due = new ArrayList<>();
      List<UUID> kept = new ArrayList<>();
      UUID resumed = null;
      // "c" has nothing but handles: create registers it, so the sweeper finds it
      for (String t : List.of("a", "b", "c")) {
        var handles = fs.resumeHandles(TenantId.of(t));
        UUID session = UUID.randomUUID();
        due.add(handles.create(session, t + "-pending", inAMinute).handleId());
        UUID paused = handles.create(session, t + "-paused", inAMinute).handleId();
        handles.markPaused(paused);
        due.add(paused);
        kept.add(handles.create(session, t + "-later", Instant.now().plusSeconds(7200)).handleId());
        kept.add(handles.create(session, t + "-never", null).handleId());
        if (t.equals("a")) {
          resumed = handles.create(session, "a-resumed", inAMinute).handleId();
          handles.resume("a-resumed", null);
        }
      }
      Clock soon = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(30));
      assertThat(Sweeper.manual(fs, soon).sweep()).isZero();
      Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
      assertThat(Sweeper.manual(fs, later).sweep()).isEqualTo(due.size());
      for (int i = 0; i < due.size(); i++) {
        TenantId tenant = TenantId.of(List.of("a", "b", "c").get(i / 2));
        assertThat(status(fs, tenant, due.get(i))).isEqualTo(ResumeHandle.Status.EXPIRED);
        assertThat(status(fs, tenant, kept.get(i))).isEqualTo(ResumeHandle.Status.PENDING_PAUSE);
      }
      assertThat(status(fs, TenantId.of("a"), resumed)).isEqualTo(ResumeHandle.Status.RESUMED);
      assertThat(Sweeper.manual(fs, later).sweep()).isZero();
    }
  }

  @Test
  void endsExpiredLeasesOfEveryTenantThroughTheDlqWhenNoAttemptIsLeft() {
    SettableClock clock = new SettableClock();
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp(), clock)) {
      Map<TenantId, List<UUID>> jobs = new HashMap<>();
      for (String t : List.of("a", "b")) {
        TenantId tenant = register(fs, t);
        Queue queue = fs.queue(tenant);
        UUID retried = queue.enqueue(NewJob.of("q", "x", null)).value().jobId();
        UUID last = queue.enqueue(NewJob.of("q", "x", null).withMaxAttempts(1)).value().jobId();
        assertThat(queue.lease("q", 10, Duration.ofSeconds(30))).hasSize(2);
        jobs.put(tenant, List.of(retried, last));
      }
      Sweeper sweeper = Sweeper.manual(fs, clock);
      assertThat(sweeper.sweep()).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(sweeper.sweep()).isGreaterThanOrEqualTo(4);
      jobs.forEach(
          (tenant, ids) -> {
            Queue queue = fs.queue(tenant);
            assertThat(queue.get(ids.get(0)).orElseThrow().job().status())
                .isEqualTo(Job.Status.QUEUED);
            assertThat(queue.get(ids.get(1)).orElseThrow().job().status())
                .isEqualTo(Job.Status.FAILED);
            assertThat(queue.deadLetters().inspect(ids.get(1))).isPresent();
          });
      assertThat(sweeper.sweep()).isZero();
    }
  }

  /**
   * A tenant that never touched the SQL store, only the Redis queue: the sweeper must still find it
   * (Redis database 4, a key prefix of its own, only those keys deleted).
   */
  @Test
  void endsExpiredLeasesOfATenantThatOnlyUsedTheRedisQueue() throws Exception {
    SettableClock clock = new SettableClock();
    String env = "sweep" + UUID.randomUUID().toString().substring(0, 8);
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "sqlite",
                "FLOWSTORE_DATA_DIR",
                Files.createTempDirectory("flowstore-test-").toString(),
                "FLOWSTORE_QUEUE_BACKEND",
                "redis",
                "REDIS_DSN",
                TestBackends.redisDsn(4),
                "FLOWSTORE_ENV",
                env));
    try (Flowstore fs = Flowstore.open(config, clock)) {
      TenantId tenant = TenantId.of("redis-only");
      Queue queue = fs.queue(tenant);
      UUID retried = queue.enqueue(NewJob.of("q", "x", null)).value().jobId();
      UUID last = queue.enqueue(NewJob.of("q", "x", null).withMaxAttempts(1)).value().jobId();
      List<Lease> leases = queue.lease("q", 10, Duration.ofSeconds(30));
      assertThat(leases).hasSize(2);
      Sweeper sweeper = Sweeper.manual(fs, clock);
      assertThat(sweeper.sweep()).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(sweeper.sweep()).isGreaterThanOrEqualTo(2);
      assertThat(queue.get(retried).orElseThrow().job().status()).isEqualTo(Job.Status.QUEUED);
      Job dead = queue.get(last).orElseThrow().job();
      assertThat(dead.status()).isEqualTo(Job.Status.FAILED);
      assertThat(dead.lastError()).isEqualTo("lease expired");
      assertThat(queue.deadLetters().inspect(last).orElseThrow().deadLetter().lastError())
          .isEqualTo("lease expired");
      assertThat(sweeper.sweep()).isZero();
    } finally {
      deleteRedisKeys(4, "flowstore:" + env + ":*");
    }
  }

  @Test
  void finishesAnInterruptedDlqTransition() {
    SettableClock clock = new SettableClock();
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp(), clock)) {
      TenantId tenant = register(fs, "a");
      Queue queue = fs.queue(tenant);
      UUID id = queue.enqueue(NewJob.of("q", "x", null).withMaxAttempts(1)).value().jobId();
      Lease lease = queue.lease("q", 1, Duration.ofSeconds(30)).get(0);
      Faults.arm(Faults.Point.DLQ_PENDING_COMMITTED);
      try {
        assertThatThrownBy(() -> queue.nack(id, lease.token(), "boom", Duration.ZERO))
            .isInstanceOf(Faults.InjectedFault.class);
      } finally {
        Faults.clear();
      }
      assertThat(queue.get(id).orElseThrow().job().status()).isEqualTo(Job.Status.DLQ_PENDING);
      assertThat(Sweeper.manual(fs, clock).sweep()).isEqualTo(1);
      assertThat(queue.get(id).orElseThrow().job().status()).isEqualTo(Job.Status.FAILED);
      assertThat(queue.deadLetters().list("q", null, 10)).hasSize(1);
      assertThat(fs.audit(tenant).verify().ok()).isTrue();
    }
  }

  @Test
  void deletesIdempotencyKeysOnceTheyExpire() {
    SettableClock clock = new SettableClock();
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp(), clock)) {
      for (String t : List.of("a", "b")) {
        IdempotencyKeys keys = fs.idempotencyKeys(register(fs, t));
        keys.begin("k", "h", Duration.ofHours(1), Duration.ofMinutes(1));
        keys.complete("k", 201, "{}");
      }
      Sweeper sweeper = Sweeper.manual(fs, clock);
      clock.advance(Duration.ofMinutes(30));
      assertThat(sweeper.sweep()).isZero();
      assertThat(
              fs.idempotencyKeys(TenantId.of("a"))
                  .begin("k", "h", Duration.ofHours(1), Duration.ofMinutes(1)))
          .isInstanceOf(IdempotencyKeys.Replay.class);
      clock.advance(Duration.ofHours(1));
      assertThat(sweeper.sweep()).isEqualTo(2);
      assertThat(sweeper.sweep()).isZero();
    }
  }

  @Test
  void deletesSucceededJobsAndPublishedMessagesPastRetentionInBatchesBoundedPerTenant() {
    SettableClock clock = new SettableClock();
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp(), clock)) {
      TenantId a = register(fs, "a");
      TenantId b = register(fs, "b");
      List<UUID> aJobs = succeed(fs.queue(a), 12);
      List<UUID> bJobs = succeed(fs.queue(b), 3);
      List<UUID> aMessages = publish(fs.outbox(a), 12);
      List<UUID> bMessages = publish(fs.outbox(b), 3);
      Queue queue = fs.queue(a);
      UUID failed = queue.enqueue(NewJob.of("q", "x", null).withMaxAttempts(1)).value().jobId();
      Lease lease = queue.lease("q", 1, Duration.ofSeconds(30)).get(0);
      queue.nack(failed, lease.token(), "boom", null);
      UUID queued = queue.enqueue(NewJob.of("q", "x", null)).value().jobId();
      UUID pending = fs.outbox(a).add("queue:q", null, null, null).messageId();
      // batches of 5, at most 2 per tenant and kind in a round
      Sweeper sweeper = Sweeper.manual(fs, clock, Duration.ofHours(1), Duration.ofHours(2), 5, 2);
      assertThat(sweeper.sweep()).isZero();

      clock.advance(Duration.ofMinutes(90));
      assertThat(sweeper.sweep()).as("a: 10 of 12 jobs, b: all 3; no messages yet").isEqualTo(13);
      for (int i = 0; i < 12; i++)
        assertThat(fs.queue(a).get(aJobs.get(i)).isPresent())
            .as("job %d of a kept", i + 1)
            .isEqualTo(i >= 10);
      for (UUID id : bJobs) assertThat(fs.queue(b).get(id)).isEmpty();
      assertThat(sweeper.sweep()).isEqualTo(2);
      assertThat(sweeper.sweep()).isZero();

      clock.advance(Duration.ofHours(1));
      assertThat(sweeper.sweep()).isEqualTo(13);
      assertThat(fs.outbox(a).get(aMessages.get(9))).isEmpty();
      assertThat(fs.outbox(a).get(aMessages.get(10))).isPresent();
      for (UUID id : bMessages) assertThat(fs.outbox(b).get(id)).isEmpty();
      assertThat(sweeper.sweep()).isEqualTo(2);
      assertThat(sweeper.sweep()).isZero();

      assertThat(queue.get(failed).orElseThrow().job().status()).isEqualTo(Job.Status.FAILED);
      assertThat(queue.get(queued).orElseThrow().job().status()).isEqualTo(Job.Status.QUEUED);
      assertThat(fs.outbox(a).get(pending).orElseThrow().status())
          .isEqualTo(OutboxMessage.Status.PENDING);
    }
  }

  @Test
  void takesRetentionFromTheConfigurationAndZeroKeepsForever() throws Exception {
    SettableClock clock = new SettableClock();
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_DATA_DIR",
                Files.createTempDirectory("flowstore-test-").toString(),
                "JOB_RETENTION_HOURS",
                "0",
                "OUTBOX_RETENTION_HOURS",
                "1"));
    try (Flowstore fs = Flowstore.open(config, clock)) {
      TenantId a = register(fs, "a");
      List<UUID> jobs = succeed(fs.queue(a), 3);
      List<UUID> messages = publish(fs.outbox(a), 3);
      clock.advance(Duration.ofMinutes(59));
      assertThat(Sweeper.manual(fs, clock).sweep()).isZero();
      clock.advance(Duration.ofDays(400));
      assertThat(Sweeper.manual(fs, clock).sweep()).isEqualTo(3);
      for (UUID id : messages) assertThat(fs.outbox(a).get(id)).isEmpty();
      for (UUID id : jobs)
        assertThat(fs.queue(a).get(id).orElseThrow().job().status())
            .isEqualTo(Job.Status.SUCCEEDED);
    }
  }

  @Test
  void appliesEachCollectionsRecordRetentionToEveryTenantInBatchesBoundedPerRound() {
    SettableClock clock = new SettableClock();
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp(), clock)) {
      TenantId a = register(fs, "a");
      TenantId b = register(fs, "b");
      fs.collections()
          .declare(
              CollectionSpec.of("tickets")
                  .withRetention(RecordRetention.delete(30, RecordRetention.CREATED)));
      fs.collections()
          .declare(
              CollectionSpec.of("chats")
                  .withRetention(RecordRetention.archive(7, RecordRetention.UPDATED)));
      fs.collections().declare(CollectionSpec.of("kept"));
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      for (int i = 0; i < 12; i++) fs.records(a).create("tickets", NewRecord.of("t" + i, data));
      for (int i = 0; i < 3; i++) fs.records(b).create("tickets", NewRecord.of("t" + i, data));
      fs.records(a).create("chats", NewRecord.of("c1", data));
      fs.records(b).create("kept", NewRecord.of("k1", data));
      // batches of 5, at most 2 per tenant and kind in a round
      Sweeper sweeper = Sweeper.manual(fs, clock, null, null, 5, 2);
      clock.advance(Duration.ofDays(7));
      assertThat(sweeper.sweep()).as("the chat archived, no ticket yet").isEqualTo(1);
      assertThat(fs.records(a).get("chats", "c1").orElseThrow().archived()).isTrue();
      assertThat(
              fs.records(a).history("chats", "c1", 0, 10).get(1).metadata().get("actor").asText())
          .isEqualTo("flowstore:retention");

      clock.advance(Duration.ofDays(23));
      assertThat(sweeper.sweep()).as("a: 10 of 12 tickets, b: all 3").isEqualTo(13);
      assertThat(sweeper.sweep()).isEqualTo(2);
      assertThat(sweeper.sweep()).isZero();
      assertThat(fs.records(a).count(RecordQuery.of("tickets"))).isZero();
      assertThat(fs.records(b).count(RecordQuery.of("tickets"))).isZero();
      assertThat(fs.records(a).count(RecordQuery.of("chats").includeArchived(true))).isEqualTo(1);
      assertThat(fs.records(b).get("kept", "k1")).isPresent();
    }
  }

  /** Enqueues, leases and acks {@code n} jobs; their ids in the order they succeeded. */
  private static List<UUID> succeed(Queue queue, int n) {
    queue.enqueueAll(Collections.nCopies(n, NewJob.of("done", "x", null)));
    List<UUID> ids = new ArrayList<>();
    for (Lease l : queue.lease("done", n, Duration.ofSeconds(30))) {
      queue.ack(l.jobId(), l.token());
      ids.add(l.jobId());
    }
    assertThat(ids).hasSize(n);
    return ids;
  }

  private static List<UUID> publish(Outbox outbox, int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UUID id = outbox.add("queue:q", null, null, null).messageId();
      assertThat(outbox.markPublished(id)).isTrue();
      ids.add(id);
    }
    return ids;
  }

  /**
   * why: the sweeper finds tenants through the tenants table, which events and resume handles fill
   * but the queue and idempotency keys (so far) do not
   */
  private static void deleteRedisKeys(int db, String pattern) {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(db));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }

  private static TenantId register(Flowstore fs, String name) {
    TenantId tenant = TenantId.of(name);
    fs.events(tenant)
        .append(
            "s-1",
            ExpectedVersion.ANY,
            List.of(EventData.of("registered", Json.parseObject("payload", "{}"))));
    return tenant;
  }

  private static ResumeHandle.Status status(Flowstore fs, TenantId tenant, UUID handle) {
    return fs.resumeHandles(tenant).get(handle).orElseThrow().status();
  }
}
