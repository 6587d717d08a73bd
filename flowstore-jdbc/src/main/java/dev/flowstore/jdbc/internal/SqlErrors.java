package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Translates JDBC failures into flowstore errors, in one place. The SQL standard's SQLSTATE classes
 * are read here; what a database says in its own codes or messages is its dialect's ({@link
 * Dialect#classify}), so every caller names the dialect whose database threw.
 */
public final class SqlErrors {
  private SqlErrors() {}

  /** What a failure means to flowstore. */
  public enum Kind {
    /** The database cannot be reached or is not serving (BACKEND_UNAVAILABLE). */
    UNAVAILABLE,
    /** A conflict the database resolved by failing this statement; a retry may pass. */
    BUSY,
    /** A unique or primary key was violated. */
    UNIQUE_VIOLATION,
    OTHER
  }

  private static Kind kind(Dialect dialect, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (e instanceof SQLTransientConnectionException || state.startsWith("08"))
      return Kind.UNAVAILABLE;
    if (state.equals("40001")) return Kind.BUSY;
    return dialect.classify(e);
  }

  public static FlowstoreException translate(Dialect dialect, String doing, SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    return switch (kind(dialect, e)) {
      case UNAVAILABLE ->
          new FlowstoreException(
              ErrorCode.BACKEND_UNAVAILABLE, doing + ": database unavailable: " + msg, e);
      case BUSY ->
          new FlowstoreException(
              ErrorCode.BACKEND_UNAVAILABLE, doing + ": database busy, retry: " + msg, e);
      case UNIQUE_VIOLATION, OTHER ->
          new FlowstoreException(ErrorCode.INTERNAL, doing + ": " + msg, e);
    };
  }

  /**
   * A failed {@code COMMIT}: unless the database said it rolled back (class 40: serialization,
   * deadlock; class 23: a deferred constraint), the transaction may have committed — the connection
   * can be lost after the server committed and before its answer arrived — so the answer is {@code
   * OUTCOME_UNKNOWN}, never a guess.
   */
  public static FlowstoreException commitFailed(Dialect dialect, String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("40") || state.startsWith("23")) return translate(dialect, doing, e);
    return outcomeUnknown(doing, e);
  }

  /**
   * A failed statement that commits on its own (autocommit): only a lost connection (class 08, or
   * an I/O failure) leaves the outcome unknown; any other error is the server's and rolled it back.
   */
  public static FlowstoreException autocommitFailed(Dialect dialect, String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("08") || e.getCause() instanceof java.io.IOException)
      return outcomeUnknown(doing, e);
    return translate(dialect, doing, e);
  }

  /**
   * A failed exchange that carried a transaction's last statements and its {@code COMMIT}
   * (PostgreSQL, {@link Transactions#writeEndingWith}). When the connection was lost ({@link
   * #connectionLost}) the {@code COMMIT} may have run before it went, so the answer is {@code
   * OUTCOME_UNKNOWN}. Any other error is the server's answer and nothing was stored: an error of
   * one of the statements makes the server skip the rest of the exchange, the {@code COMMIT}
   * included, and a {@code COMMIT} that reports an error has rolled back; it is translated as the
   * failed statement it is.
   */
  public static FlowstoreException commitExchangeFailed(
      Dialect dialect, String doing, SQLException e) {
    if (connectionLost(e)) return outcomeUnknown(doing, e);
    return translate(dialect, doing, e);
  }

  /**
   * Whether {@code e}, or one chained to it, says the session is gone: class 08, an I/O failure, or
   * the server ending the session (57P01..57P03: a FATAL error, after which the driver reads the
   * closed socket and chains its own 08006), as the pool reads it when it evicts a connection.
   */
  static boolean connectionLost(SQLException e) {
    int depth = 0;
    for (SQLException x = e; x != null && depth < 10; x = x.getNextException(), depth++) {
      String state = x.getSQLState() == null ? "" : x.getSQLState();
      if (state.startsWith("08")
          || state.equals("57P01")
          || state.equals("57P02")
          || state.equals("57P03")
          || x.getCause() instanceof java.io.IOException) return true;
    }
    return false;
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

  /** Whether this is a unique-constraint violation. */
  public static boolean isUniqueViolation(Dialect dialect, SQLException e) {
    return kind(dialect, e) == Kind.UNIQUE_VIOLATION;
  }
}
