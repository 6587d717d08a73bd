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
   * A failed {@code COMMIT}: unless the database said it rolled back (class 40: serialization,
   * deadlock; class 23: a deferred constraint), the transaction may have committed — the connection
   * can be lost after the server committed and before its answer arrived — so the answer is {@code
   * OUTCOME_UNKNOWN}, never a guess.
   */
  public static FlowstoreException commitFailed(String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("40") || state.startsWith("23")) return translate(doing, e);
    return outcomeUnknown(doing, e);
  }

  /**
   * A failed statement that commits on its own (autocommit): only a lost connection (class 08, or
   * an I/O failure) leaves the outcome unknown; any other error is the server's and rolled it back.
   */
  public static FlowstoreException autocommitFailed(String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("08") || e.getCause() instanceof java.io.IOException)
      return outcomeUnknown(doing, e);
    return translate(doing, e);
  }

  private static FlowstoreException outcomeUnknown(String doing, SQLException e) {
    return new FlowstoreException(
        ErrorCode.OUTCOME_UNKNOWN,
        doing
            + ": the commit did not answer ("
            + e.getMessage()
            + "): the write may or may not be stored; read before retrying it",
        e);
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
