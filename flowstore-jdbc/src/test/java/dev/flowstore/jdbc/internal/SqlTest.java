package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aListOrAWholeStatementIsAppendedWithItsValues() {
    Sql inner =
        new Sql(dialect, "UPDATE t SET a = ? WHERE b IN (", "x")
            .appendList(", ", List.of(1, 2))
            .append(") RETURNING b");
    Sql sql = new Sql(dialect, "WITH done AS (").append(inner).append(") SELECT ? FROM done", 7);
    assertThat(sql.text())
        .isEqualTo(
            "WITH done AS (UPDATE t SET a = ? WHERE b IN (?, ?) RETURNING b) SELECT ? FROM done");
    assertThat(bound(sql))
        .containsExactly("setString 1 x", "setInt 2 1", "setInt 3 2", "setInt 4 7");
  }

  @Test
  void aNullIsBoundUntypedUnlessItIsText() {
    Sql sql = new Sql(dialect, "VALUES (?, ?, ?)", null, Sql.text(null), Sql.text("t"));
    assertThat(bound(sql))
        .containsExactly("setNull 1 " + Types.OTHER, "setNull 2 " + Types.VARCHAR, "setString 3 t");
  }

  /** The calls {@code sql.bind} makes on a statement, one "method index value" each. */
  private static List<String> bound(Sql sql) {
    List<String> calls = new ArrayList<>();
    PreparedStatement ps =
        (PreparedStatement)
            Proxy.newProxyInstance(
                SqlTest.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                  calls.add(method.getName() + " " + args[0] + " " + args[1]);
                  return null;
                });
    try {
      sql.bind(ps);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
    return calls;
  }
}
