package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.jdbc.PostgresDsn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy recognises pgjdbc's COMMIT and cuts where it is told; the row tells what happened. */
class TcpProxyTest {
  @TempDir Path work;
  private String dsn;
  private final String table = ChaosStores.schema("chaos_proxy_");
  private TcpProxy proxy;

  @BeforeEach
  void start() throws Exception {
    dsn = ChaosTestSettings.ci(work).postgresDsn();
    String[] hp = ChaosStores.hostPort(dsn);
    proxy = new TcpProxy(hp[0], Integer.parseInt(hp[1]));
    try (Connection c = direct();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public." + table + " (n int PRIMARY KEY)");
    }
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    try (Connection c = direct();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS public." + table);
    }
  }

  private Connection direct() throws SQLException {
    PostgresDsn pg = PostgresDsn.parse(dsn);
    return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
  }

  private boolean stored(int n) throws SQLException {
    try (Connection c = direct();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM public." + table + " WHERE n = " + n)) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }

  /** Inserts {@code n} in a transaction through the proxy, cutting its COMMIT at {@code where}. */
  private void commitThrough(int n, TcpProxy.Cut where) throws SQLException {
    try (Connection c = DriverManager.getConnection(ChaosStores.viaPort(dsn, proxy.port()))) {
      c.setAutoCommit(false);
      // several commits on one connection first, so pgjdbc has prepared COMMIT on the server
      for (int i = 0; i < 8; i++) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        c.commit();
      }
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO public." + table + " VALUES (" + n + ")");
      }
      proxy.policy(() -> where);
      c.commit();
    } finally {
      proxy.policy(() -> TcpProxy.Cut.NONE);
    }
  }

  @Test
  void cutBeforeTheCommitIsSentLeavesNothingStored() throws Exception {
    assertThatThrownBy(() -> commitThrough(1, TcpProxy.Cut.BEFORE))
        .isInstanceOf(SQLException.class);
    assertThat(stored(1)).isFalse();
    assertThat(proxy.cuts(TcpProxy.Cut.BEFORE)).isEqualTo(1);
  }

  @Test
  void cutAfterTheCommitWasSentFailsTheCallerButTheRowIsStored() throws Exception {
    assertThatThrownBy(() -> commitThrough(2, TcpProxy.Cut.AFTER_SEND))
        .isInstanceOf(SQLException.class);
    // the server got the whole COMMIT before the cut; give it a moment to finish it
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> stored(2));
    assertThat(stored(2)).isTrue();
  }

  @Test
  void cutAfterTheReplyFailsTheCallerButTheRowIsStored() throws Exception {
    assertThatThrownBy(() -> commitThrough(3, TcpProxy.Cut.AFTER_REPLY))
        .isInstanceOf(SQLException.class);
    assertThat(stored(3)).isTrue();
  }

  @Test
  void withoutACutEveryCommitIsSeenAndGoesThrough() throws Exception {
    commitThrough(4, TcpProxy.Cut.NONE);
    assertThat(stored(4)).isTrue();
    assertThat(proxy.commits()).isEqualTo(9);
  }

  @Test
  void recognisesCommitStatements() {
    assertThat(TcpProxy.isCommitSql("COMMIT")).isTrue();
    assertThat(TcpProxy.isCommitSql(" commit; ")).isTrue();
    assertThat(TcpProxy.isCommitSql("END")).isTrue();
    assertThat(TcpProxy.isCommitSql("SELECT 'COMMIT'")).isFalse();
    assertThat(TcpProxy.isCommitSql("COMMITTED")).isFalse();
  }
}
