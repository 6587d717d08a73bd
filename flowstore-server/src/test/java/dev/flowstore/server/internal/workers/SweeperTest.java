package dev.flowstore.server.internal.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.NewSession;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.TestBackends;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sweeper expires sessions of every tenant, with time from a clock the test moves (no
 * sleeping).
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
}
