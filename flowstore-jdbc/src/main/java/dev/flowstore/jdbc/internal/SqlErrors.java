package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Translates JDBC failures into flowstore errors, in one place. */
public final class SqlErrors {
  private SqlErrors() {}

  public static FlowstoreException translate(String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String msg = e.getMessage() == null ? "" : e.getMessage();
    if (e instanceof SQLTransientConnectionException
        || state.startsWith("08")
        || state.equals("57P01")
        || state.equals("57P03")) {
      return new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE, doing + ": database unavailable: " + msg, e);
    }
    if (state.equals("40001")
        || state.equals("40P01")
        || msg.contains("SQLITE_BUSY")
        || msg.contains("database is locked")) {
      return new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE, doing + ": database busy, retry: " + msg, e);
    }
    return new FlowstoreException(ErrorCode.INTERNAL, doing + ": " + msg, e);
  }

  /**
   * Whether this is a unique-constraint violation (PostgreSQL 23505, SQLite
   * SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY).
   */
  public static boolean isUniqueViolation(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    return "23505".equals(e.getSQLState())
        || msg.contains("SQLITE_CONSTRAINT_UNIQUE")
        || msg.contains("SQLITE_CONSTRAINT_PRIMARYKEY");
  }
}
