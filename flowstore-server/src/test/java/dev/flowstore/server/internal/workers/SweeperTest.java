package dev.flowstore.server.internal.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewSession;
import dev.flowstore.Queue;
import dev.flowstore.ResumeHandle;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import dev.flowstore.internal.Json;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The sweeper expires sessions, resume handles, queue leases and idempotency keys of every tenant
 * and finishes interrupted DLQ transitions, with time from a clock the test moves (no sleeping).
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

  /**
   * why: the sweeper finds tenants through the tenants table, which events and resume handles fill
   * but the queue and idempotency keys (so far) do not
   */
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
