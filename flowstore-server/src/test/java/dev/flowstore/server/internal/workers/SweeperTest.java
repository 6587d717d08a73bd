package dev.flowstore.server.internal.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.NewSession;
import dev.flowstore.ResumeHandle;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.TestBackends;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The sweeper expires sessions and resume handles of every tenant, with time from a clock the test
 * moves (no sleeping).
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

  private static ResumeHandle.Status status(Flowstore fs, TenantId tenant, UUID handle) {
    return fs.resumeHandles(tenant).get(handle).orElseThrow().status();
  }
}
