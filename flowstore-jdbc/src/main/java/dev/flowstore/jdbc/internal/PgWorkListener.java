package dev.flowstore.jdbc.internal;

import dev.flowstore.jdbc.PostgresDsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL LISTEN on a dedicated connection outside the pool (a pooled connection would be handed
 * to other work and lose its LISTEN). One daemon thread waits in {@code getNotifications(timeout)}
 * and hands each payload on; when the connection fails it reconnects with a growing pause (capped
 * at 5 s). It reports {@code "*"} each time it starts listening, the first time too: notifications
 * sent before (while it was connecting, or away) are lost, and a waiter that checked for work
 * before then must check again. {@link #close()} stops the thread and closes the connection.
 */
final class PgWorkListener implements AutoCloseable {
  static final String PREFIX = "flowstore_jobs_";
  static final String APPLICATION_NAME = "flowstore-listen";
  private static final Logger log = LoggerFactory.getLogger(PgWorkListener.class);
  private static final int POLL_MS = 250;

  private final PostgresDsn dsn;
  private final String channel;
  private final Consumer<String> onMessage;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;
  private volatile Connection connection;

  private PgWorkListener(PostgresDsn dsn, String channel, Consumer<String> onMessage) {
    this.dsn = dsn;
    this.channel = channel;
    this.onMessage = onMessage;
    this.thread =
        Thread.ofPlatform().daemon().name("flowstore-listen-" + channel).unstarted(this::loop);
  }

  /** The NOTIFY channel of a schema (PostgreSQL truncates identifiers at 63 bytes). */
  static String channel(String schema) {
    String c = PREFIX + schema;
    return c.length() > 63 ? c.substring(0, 63) : c;
  }

  static PgWorkListener start(PostgresDsn dsn, String channel, Consumer<String> onMessage) {
    PgWorkListener l = new PgWorkListener(dsn, channel, onMessage);
    l.thread.start();
    return l;
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void loop() {
    long pauseMs = 100;
    while (!isClosed()) {
      try (Connection c = connect()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN \"" + channel + "\"");
        }
        onMessage.accept("*");
        pauseMs = 100;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!isClosed()) {
          PGNotification[] ns = pg.getNotifications(POLL_MS);
          if (ns == null) continue;
          for (PGNotification n : ns) onMessage.accept(n.getParameter());
        }
      } catch (SQLException | RuntimeException e) {
        if (isClosed()) break;
        log.warn("LISTEN {} failed, reconnecting in {} ms: {}", channel, pauseMs, e.toString());
        try {
          if (closed.await(pauseMs, TimeUnit.MILLISECONDS)) break;
        } catch (InterruptedException ie) {
          break;
        }
        pauseMs = Math.min(5_000, pauseMs * 2);
      } finally {
        connection = null;
      }
    }
  }

  private Connection connect() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    if (dsn.user() != null) p.setProperty("user", dsn.user());
    if (dsn.password() != null) p.setProperty("password", dsn.password());
    p.setProperty("ApplicationName", APPLICATION_NAME);
    p.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(dsn.jdbcUrl(), p);
  }

  @Override
  public void close() {
    closed.countDown();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
