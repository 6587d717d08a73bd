package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * SQLite: one writer (BEGIN IMMEDIATE), tenant filtering in SQL only, times as epoch microseconds.
 */
public final class SqliteDialect implements Dialect {
  private final QueueSql queueSql = new SqliteQueueSql(this);

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public boolean roundTripBound() {
    return false;
  }

  /**
   * One process owns the file, and its appends wake its waiters at once; another process writing
   * the same file (an import run beside the server) is seen at the next re-read.
   */
  @Override
  public Duration feedRecheck() {
    return Duration.ofSeconds(1);
  }

  @Override
  public void beginTenantTransaction(Connection c, TenantId tenant) {
    // why: no RLS in SQLite; every statement filters on tenant_id itself
  }

  /**
   * The driver reports SQLite's result codes in its messages (no SQLSTATE): a busy or locked
   * database (the busy timeout ran out), a unique or primary key violated.
   */
  @Override
  public SqlErrors.Kind classify(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    if (msg.contains("SQLITE_BUSY") || msg.contains("database is locked"))
      return SqlErrors.Kind.BUSY;
    if (msg.contains("SQLITE_CONSTRAINT_UNIQUE") || msg.contains("SQLITE_CONSTRAINT_PRIMARYKEY"))
      return SqlErrors.Kind.UNIQUE_VIOLATION;
    return SqlErrors.Kind.OTHER;
  }

  @Override
  public QueueSql queueSql() {
    return queueSql;
  }

  /**
   * rowid and seq, both max(rowid) + 1 read by the inserting statement: the rowid SQLite would
   * choose (it gives a new row one more than the largest), which the {@code AFTER INSERT} trigger
   * used to copy into seq with an UPDATE of the row and of its seq-keyed index entries (V16). The
   * writer holds the database's one write lock, so no other insert comes between the read and the
   * row.
   */
  @Override
  public String seqColumns() {
    return "rowid, seq, ";
  }

  @Override
  public String seqValues(String table) {
    String next = "(SELECT coalesce(max(rowid), 0) + 1 FROM " + table + "), ";
    return next + next;
  }

  @Override
  public String jsonParam() {
    return "?";
  }

  @Override
  public String forUpdate() {
    return ""; // why: write transactions are BEGIN IMMEDIATE, so the writer already holds the
    // database lock
  }

  @Override
  public String forUpdateSkipLocked() {
    return "";
  }

  @Override
  public void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setString(index, value.toString());
  }

  @Override
  public UUID getUuid(ResultSet rs, String column) throws SQLException {
    return UUID.fromString(rs.getString(column));
  }

  @Override
  public void setTime(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setLong(index, ChronoUnit.MICROS.between(Instant.EPOCH, value));
  }

  @Override
  public Instant getTime(ResultSet rs, String column) throws SQLException {
    long micros = rs.getLong(column);
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /** why bytes: the driver copies a TEXT column's UTF-8 bytes once, where a String costs two. */
  @Override
  public com.fasterxml.jackson.databind.node.ObjectNode getStoredObject(
      ResultSet rs, int index, String what) throws SQLException {
    byte[] utf8 = rs.getBytes(index);
    if (utf8 == null) throw new SQLException(what + ": NULL where a JSON object is stored");
    return dev.flowstore.internal.Json.stored(what, utf8);
  }

  @Override
  public Instant getTime(ResultSet rs, int index) throws SQLException {
    long micros = rs.getLong(index);
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  // why: SQLite stores JSON as TEXT; flowstore's migrations mark each JSON column with a CHECK on
  // json_type(column), which is what tells copy and compare to read it as JSON
  private static final java.util.regex.Pattern JSON_CHECK =
      java.util.regex.Pattern.compile("json_type\\((\\w+)\\)");

  @Override
  public java.util.Set<String> jsonColumns(Connection c, String table) throws SQLException {
    java.util.Set<String> out = new java.util.HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          java.util.regex.Matcher m = JSON_CHECK.matcher(rs.getString(1));
          while (m.find()) out.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    return out;
  }
}
