package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The statement builder: a fragment and its values travel together, offsets are counted for us. */
class SqlTest {
  private final Dialect dialect = new SqliteDialect();

  @Test
  void aFragmentWhoseParametersAndValuesDifferIsRefusedWhereItIsWritten() {
    Sql sql = new Sql(dialect, "SELECT 1 WHERE a = ?", "x");
    assertThatThrownBy(() -> sql.append(" AND b = ? AND c = ?", "only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 parameters, given 1 values");
    assertThatThrownBy(() -> sql.append(" AND b = 1", "extra"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(sql.text()).isEqualTo("SELECT 1 WHERE a = ?");
  }

  @Test
  void aValueOfNoBindableTypeIsRefused() {
    assertThatThrownBy(() -> new Sql(dialect, "SELECT ?", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
  }

  @Test
  void valuesAreBoundInOrderAfterWhatTheCallerBindsFirst() throws Exception {
    UUID id = new UUID(1, 2);
    Instant at = Instant.parse("2024-01-02T03:04:05.123456Z");
    Sql sql =
        new Sql(dialect, "SELECT ?, ?", "text", 7).append(", ?, ?", 8L, new BigDecimal("1.50"));
    sql.append(", ?, ?, ?, ?", id, at, new byte[] {1, 2}, null);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        PreparedStatement ps = c.prepareStatement("SELECT ?, r.* FROM (" + sql.text() + ") r")) {
      ps.setString(1, "prefix");
      sql.bind(ps, 2);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("prefix");
        assertThat(rs.getString(2)).isEqualTo("text");
        assertThat(rs.getInt(3)).isEqualTo(7);
        assertThat(rs.getLong(4)).isEqualTo(8L);
        assertThat(rs.getBigDecimal(5)).isEqualByComparingTo("1.50");
        assertThat(rs.getString(6)).isEqualTo(id.toString());
        assertThat(rs.getLong(7)).isEqualTo(1_704_164_645_123_456L);
        assertThat(rs.getBytes(8)).containsExactly(1, 2);
        assertThat(rs.getObject(9)).isNull();
      }
    }
  }
}
