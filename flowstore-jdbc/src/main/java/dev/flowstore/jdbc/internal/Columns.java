package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Nullable columns and small query shapes the stores share; the dialect handles the types. A
 * statement's parameters are best bound by an {@link Sql}, which is a {@link Binder} that counts
 * its own offsets.
 */
final class Columns {
  private Columns() {}

  /** Binds a statement's parameters. */
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /**
   * Binds a statement's parameters for one item of a JDBC batch ({@link #batch}). why: not an
   * {@link Sql}, which joins a text to its values: a batch is one text bound once per item, so an
   * {@code Sql} per item would build and check the text again for every row (on the append path,
   * every event of a group commit), and the text is fixed by then anyway.
   */
  interface ItemBinder<T> {
    void bind(PreparedStatement ps, T item) throws SQLException;
  }

  /** Maps the current row. */
  interface Mapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  static void setUuid(Dialect d, PreparedStatement ps, int i, UUID value) throws SQLException {
    if (value == null) ps.setNull(i, Types.OTHER);
    else d.setUuid(ps, i, value);
  }

  static UUID getUuid(Dialect d, ResultSet rs, String column) throws SQLException {
    return rs.getObject(column) == null ? null : d.getUuid(rs, column);
  }

  static void setTime(Dialect d, PreparedStatement ps, int i, Instant value) throws SQLException {
    if (value == null) ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
    else d.setTime(ps, i, value);
  }

  static Instant getTime(Dialect d, ResultSet rs, String column) throws SQLException {
    return rs.getObject(column) == null ? null : d.getTime(rs, column);
  }

  static Instant getTime(Dialect d, ResultSet rs, int index) throws SQLException {
    return rs.getObject(index) == null ? null : d.getTime(rs, index);
  }

  static void setText(PreparedStatement ps, int i, String value) throws SQLException {
    if (value == null) ps.setNull(i, Types.VARCHAR);
    else ps.setString(i, value);
  }

  /** A stored JSON object column, or null. */
  static ObjectNode getJson(ResultSet rs, String column) throws SQLException {
    String text = rs.getString(column);
    return text == null ? null : Json.stored("stored " + column, text);
  }

  static int update(Connection c, Sql sql) throws SQLException {
    return update(c, sql.text(), sql);
  }

  static int update(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    }
  }

  /**
   * Runs one statement for every item as a JDBC batch (one round trip on PostgreSQL, which
   * pipelines it); the update count of each, in order. Nothing runs for no items.
   */
  static <T> int[] batch(Connection c, String sql, List<T> items, ItemBinder<T> binder)
      throws SQLException {
    if (items.isEmpty()) return new int[0];
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (T item : items) {
        binder.bind(ps, item);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  static <T> List<T> list(Connection c, Sql sql, Mapper<T> mapper) throws SQLException {
    return list(c, sql.text(), sql, mapper);
  }

  static <T> List<T> list(Connection c, String sql, Binder binder, Mapper<T> mapper)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) out.add(mapper.map(rs));
        return out;
      }
    }
  }

  static <T> Optional<T> one(Connection c, Sql sql, Mapper<T> mapper) throws SQLException {
    return one(c, sql.text(), sql, mapper);
  }

  static <T> Optional<T> one(Connection c, String sql, Binder binder, Mapper<T> mapper)
      throws SQLException {
    List<T> rows = list(c, sql, binder, mapper);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }
}
