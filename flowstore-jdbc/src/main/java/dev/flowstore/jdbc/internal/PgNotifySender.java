package dev.flowstore.jdbc.internal;

import dev.flowstore.jdbc.PostgresDsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;

/**
 * {@link CommitNotifier}'s sender on PostgreSQL: one connection of its own outside the pool ({@code
 * ApplicationName=flowstore-notify}, opened on first use and again after a failure) and one
 * statement per batch, {@code SELECT pg_notify(channel, k) FROM unnest(keys)}, its own transaction.
 * The connection commits with {@code synchronous_commit = off}: the notifying commit holds
 * PostgreSQL's database-wide notify lock only until its commit record is written, not through the
 * WAL flush; a crash that loses the commit loses notifications only, and every listener reconnects
 * after a crash and wakes everyone once.
 */
final class PgNotifySender implements CommitNotifier.Sender {
  static final String APPLICATION_NAME = "flowstore-notify";
  private static final String SEND = "SELECT pg_notify(?, k) FROM unnest(?::text[]) AS k";

  private final PostgresDsn dsn;
  private final String channel;
  private volatile Connection connection; // only the notifier's thread uses it

  PgNotifySender(PostgresDsn dsn, String channel) {
    this.dsn = dsn;
    this.channel = channel;
  }

  @Override
  public void send(Set<String> keys) throws SQLException {
    try {
      Connection c = connection();
      try (PreparedStatement ps = c.prepareStatement(SEND)) {
        ps.setString(1, channel);
        ps.setArray(2, c.createArrayOf("text", keys.toArray()));
        ps.execute();
      }
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Connection connection() throws SQLException {
    if (connection != null) return connection;
    Properties p = new Properties();
    if (dsn.user() != null) p.setProperty("user", dsn.user());
    if (dsn.password() != null) p.setProperty("password", dsn.password());
    p.setProperty("ApplicationName", APPLICATION_NAME);
    p.setProperty("tcpKeepAlive", "true");
    // why: a hung server must not hold the notifier forever (its keys are retried)
    p.setProperty("socketTimeout", "30");
    Connection c = DriverManager.getConnection(dsn.jdbcUrl(), p);
    try (Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = off");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    connection = c;
    return c;
  }

  @Override
  public void close() {
    Connection c = connection;
    connection = null;
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
