package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

class SqliteStatementCacheTest {
  @TempDir Path dir;
  private DataSource ds;

  @BeforeEach
  void open() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    SQLiteDataSource raw = new SQLiteDataSource(config);
    raw.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
    ds = SqliteStatementCache.wrap(raw);
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      st.execute("INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    }
  }

  private static JDBC4PreparedStatement real(PreparedStatement ps) throws SQLException {
    return ps.unwrap(JDBC4PreparedStatement.class);
  }

  @Test
  void aClosedStatementIsHandedToTheNextCallerOfItsText() throws SQLException {
    try (Connection c = ds.getConnection()) {
      JDBC4PreparedStatement first;
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
        first = real(ps);
        ps.setInt(1, 1);
        assertThat(value(ps)).isEqualTo("a");
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
        assertThat(real(ps)).isSameAs(first);
        assertThat(ps.getConnection()).isSameAs(c);
        ps.setInt(1, 2);
        assertThat(value(ps)).isEqualTo("b");
      }
    }
  }

  @Test
  void theSameTextOpenTwiceIsTwoStatements() throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement a = c.prepareStatement("SELECT v FROM t WHERE id = ?");
        PreparedStatement b = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
      assertThat(real(a)).isNotSameAs(real(b));
      a.setInt(1, 1);
      b.setInt(1, 3);
      try (ResultSet ra = a.executeQuery();
          ResultSet rb = b.executeQuery()) {
        assertThat(ra.next() && rb.next()).isTrue();
        assertThat(ra.getString(1) + rb.getString(1)).isEqualTo("ac");
      }
    }
  }

  @Test
  void aStatementClosedIsNoLongerTheCallersAndForgetsItsParameters() throws SQLException {
    try (Connection c = ds.getConnection()) {
      PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?");
      ps.setInt(1, 1);
      ps.close();
      assertThat(ps.isClosed()).isTrue();
      assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class);
      try (PreparedStatement again = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
        // why: an unbound parameter is NULL, which matches no id
        try (ResultSet rs = again.executeQuery()) {
          assertThat(rs.next()).isFalse();
        }
      }
    }
  }

  @Test
  void aResultSetLeftUnreadHoldsNoSnapshotOnceItsStatementIsBack() throws SQLException {
    try (Connection reader = ds.getConnection();
        Connection writer = ds.getConnection()) {
      try (PreparedStatement ps = reader.prepareStatement("SELECT v FROM t ORDER BY id")) {
        ResultSet rs = ps.executeQuery();
        assertThat(rs.next()).isTrue(); // two rows left unread, the read transaction open
      }
      try (Statement st = writer.createStatement()) {
        st.execute("INSERT INTO t (id, v) VALUES (4, 'd')");
      }
      try (PreparedStatement ps = reader.prepareStatement("SELECT count(*) FROM t")) {
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(4);
        }
      }
      // why: a checkpoint can copy every frame back only when no reader holds an old snapshot
      try (Statement st = writer.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("busy").isZero();
      }
    }
  }

  @Test
  void aStatementWhoseSettingsChangedIsNotKept() throws SQLException {
    try (Connection c = ds.getConnection()) {
      JDBC4PreparedStatement first;
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t")) {
        first = real(ps);
        ps.setMaxRows(1);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t")) {
        assertThat(real(ps)).isNotSameAs(first);
        assertThat(ps.getMaxRows()).isZero();
      }
    }
  }

  @Test
  void theLeastRecentlyUsedBeyondTheLimitAreFinalized() throws SQLException {
    try (Connection c = ds.getConnection()) {
      JDBC4PreparedStatement oldest;
      try (PreparedStatement ps = c.prepareStatement("SELECT 0")) {
        oldest = real(ps);
      }
      for (int i = 1; i <= SqliteStatementCache.SIZE; i++) {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + i)) {
          assertThat(ps.execute()).isTrue();
        }
      }
      assertThat(oldest.isClosed()).isTrue();
      try (PreparedStatement ps = c.prepareStatement("SELECT 0")) {
        assertThat(real(ps)).isNotSameAs(oldest);
      }
    }
  }

  @Test
  void closingTheConnectionFinalizesItsStatements() throws SQLException {
    JDBC4PreparedStatement kept;
    Connection c = ds.getConnection();
    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t")) {
      kept = real(ps);
    }
    assertThat(kept.isClosed()).isFalse();
    c.close();
    assertThat(kept.isClosed()).isTrue();
  }

  private static String value(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
