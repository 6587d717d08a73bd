package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewJob;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.MirrorLoop;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.testkit.EveryTable;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror (docs/mirror.md) from a SQLite primary to a PostgreSQL secondary reached through a
 * {@link TcpProxy} (and from a PostgreSQL primary the mirror reaches through it to SQLite): the
 * secondary's connections cut at random commits (before the COMMIT, after it was sent, after the
 * server answered), all at once, and then every commit refused for a while (the secondary down),
 * while writers go on. Once the proxy lets everything through, the mirror catches up: lag 0,
 * compare equal, no writer call failed.
 */
class MirrorOverProxyTest {
  @Test
  void aSecondaryBehindCutConnectionsCatchesUpWithNothingLost(@TempDir Path dir) throws Exception {
    run(dir, false);
  }

  /**
   * PostgreSQL -> SQLite with the mirror's own connections to the primary through the proxy (the
   * writers' are direct): its reads and its trims of the log are cut, the primary unreachable for
   * it a while.
   */
  @Test
  void aPrimaryUnreachableForTheMirrorIsCaughtUpWithNothingLost(@TempDir Path dir)
      throws Exception {
    run(dir, true);
  }

  private void run(Path dir, boolean postgresPrimary) throws Exception {
    FlowstoreConfig direct = TestBackends.postgres();
    String dsn = direct.given("POSTGRES_DSN");
    String schema = direct.given("POSTGRES_SCHEMA");
    String[] hp = ChaosStores.hostPort(dsn);
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    FlowstoreConfig sqlite = TestBackends.sqlite(dir.resolve("sqlite"));
    try (TcpProxy proxy = new TcpProxy(hp[0], Integer.parseInt(hp[1]));
        Flowstore primary = Flowstore.open(postgresPrimary ? direct : sqlite);
        Flowstore secondary = Flowstore.open(postgresPrimary ? sqlite : direct)) {
      EveryTable.fill(primary, TenantId.of("a"));
      Mirroring m = Mirroring.find(primary, secondary);
      m.capture(primary, true);
      try (Flowstore proxied =
              Flowstore.open(
                  ChaosStores.postgres(
                      ChaosStores.viaPort(dsn, proxy.port()),
                      schema,
                      Map.of("POSTGRES_POOL_MAX", "4", "FLOWSTORE_MIGRATE_ON_START", "false")));
          ChaosStores.Quiet q =
              ChaosStores.quiet(
                  "com.zaxxer.hikari.pool.ProxyConnection",
                  "com.zaxxer.hikari.pool.HikariPool",
                  "dev.flowstore.jdbc.internal.PgWorkListener")) {
        // the mirror's ends: one of them through the proxy
        Flowstore from = postgresPrimary ? proxied : primary;
        Flowstore to = postgresPrimary ? secondary : proxied;
        BackendSwitch.find(from, to)
            .copy(from, to, new BackendSwitch.CopyOptions(false, 500), p -> {}, Clock.systemUTC());
        MirrorLoop loop =
            new MirrorLoop(
                from,
                to,
                m.link(from, to, 50),
                Duration.ofMillis(20),
                null,
                Clock.systemUTC(),
                line -> {});
        Thread mirror = new Thread(loop, "mirror");
        Thread writer =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    try {
                      TenantId t = TenantId.of("w" + (i % 3));
                      primary
                          .events(t)
                          .append(
                              "s-" + (i % 7),
                              ExpectedVersion.ANY,
                              List.of(EventData.of("e", Json.parseObject("e", "{}"))));
                      primary.queue(t).enqueue(NewJob.of("q", "k", Json.parseObject("j", "{}")));
                      if (i % 50 == 0) EveryTable.fill(primary, TenantId.of("f" + i));
                      writes.incrementAndGet();
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                },
                "writer");
        Random rnd = new Random(13);
        writer.start();
        mirror.start();
        try {
          // cuts at random commits, and every link at once
          proxy.policy(
              () ->
                  rnd.nextInt(3) != 0
                      ? TcpProxy.Cut.NONE
                      : TcpProxy.Cut.values()[1 + rnd.nextInt(3)]);
          await()
              .atMost(Duration.ofSeconds(90))
              .until(
                  () ->
                      proxy.cuts(TcpProxy.Cut.AFTER_REPLY) > 0
                          && proxy.cuts(TcpProxy.Cut.AFTER_SEND) > 0
                          && proxy.cuts(TcpProxy.Cut.BEFORE) > 0
                          && loop.errors.get() >= 3);
          proxy.cutAll();
          // down: no commit goes through
          proxy.policy(() -> TcpProxy.Cut.BEFORE);
          long errors = loop.errors.get();
          long seen = writes.get();
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> loop.errors.get() >= errors + 3 && writes.get() > seen + 50);
          assertThat(m.state(primary).pending()).isPositive();
          // back
          proxy.policy(() -> TcpProxy.Cut.NONE);
          await().atMost(Duration.ofSeconds(90)).until(() -> loop.lastError.get() == null);
        } finally {
          stop.set(true);
          writer.join(60_000);
          await().atMost(Duration.ofSeconds(120)).until(() -> m.state(primary).pending() == 0);
          loop.stop();
          mirror.join(60_000);
        }
      }
      assertThat(failures).as("primary writes that failed").isEmpty();
      BackendSwitch.Comparison c =
          BackendSwitch.find(primary, secondary).compare(primary, secondary, 5);
      assertThat(c.tables()).filteredOn(r -> !r.equal()).isEmpty();
    } finally {
      TestBackends.drop(direct);
    }
  }
}
