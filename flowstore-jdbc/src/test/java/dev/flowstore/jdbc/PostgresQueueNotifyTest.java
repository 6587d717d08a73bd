package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL wakes workers across processes with LISTEN/NOTIFY: an enqueue committed through
 * another Flowstore instance (another process, as far as the in-JVM signal knows) wakes a waiting
 * worker long before its 5-minute poll; and the listener survives losing its connection.
 */
class PostgresQueueNotifyTest extends FlowstoreTestBase {
  private static final Duration LONG_POLL = Duration.ofMinutes(5);

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres();
  }

  private static NewJob job(int n) {
    return NewJob.of("notify", "work", JsonNodeFactory.instance.objectNode().put("n", n));
  }

  /** Waits (off-thread) for work on the queue and reports whether it was woken. */
  private static CompletableFuture<Boolean> waitFor(Queue q) {
    // the empty lease sets the baseline and starts the listener
    assertThat(q.lease("notify", 1, Duration.ofSeconds(30))).isEmpty();
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return q.awaitWork("notify", LONG_POLL);
          } catch (InterruptedException e) {
            return false;
          }
        });
  }

  private int listeners(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'flowstore-listen' AND query LIKE 'LISTEN%"
                    + PostgresSettings.of(fs.config()).schema()
                    + "%'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void anEnqueueInAnotherProcessWakesAWaitingWorkerAndTheListenerReconnects() throws Exception {
    TenantId tenant = newTenant();
    Queue waiting = fs.queue(tenant);
    try (Flowstore other = Flowstore.open(fs.config(), clock)) {
      CompletableFuture<Boolean> woke = waitFor(waiting);
      PostgresDsn dsn = PostgresSettings.of(fs.config()).dsn();
      try (Connection admin =
          DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password())) {
        await().atMost(Duration.ofSeconds(30)).until(() -> listeners(admin) == 1);
        other.queue(tenant).enqueue(job(1));
        assertThat(woke.get(10, TimeUnit.SECONDS)).as("woken by NOTIFY").isTrue();

        // kill the LISTEN connection: the listener reconnects and wakes everyone once
        try (Statement s = admin.createStatement()) {
          s.execute(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flowstore-listen' AND query LIKE 'LISTEN%"
                  + PostgresSettings.of(fs.config()).schema()
                  + "%'");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> listeners(admin) == 1);
        waiting.lease("notify", 10, Duration.ofSeconds(30));
        CompletableFuture<Boolean> again = waitFor(waiting);
        other.queue(tenant).enqueue(job(2));
        assertThat(again.get(10, TimeUnit.SECONDS)).as("woken after reconnect").isTrue();
      }
    }
  }
}
