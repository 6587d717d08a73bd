package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;

/**
 * Translates JDBC failures into flowstore errors, in one place. The SQL standard's SQLSTATE classes
 * are read here; what a database says in its own codes or messages is its dialect's ({@link
 * Dialect#classify}).
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

  // why: the transaction runner and the role checks translate without a dialect at hand; a
  // database's own codes and messages only come from its own driver, so asking every dialect
  // flowstore ships classifies each failure as its own dialect would
  private static final List<Dialect> SHIPPED =
      List.of(new PostgresDialect("unused"), new SqliteDialect());

  private static Kind kind(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (e instanceof SQLTransientConnectionException || state.startsWith("08"))
      return Kind.UNAVAILABLE;
    if (state.equals("40001")) return Kind.BUSY;
    for (Dialect d : SHIPPED) {
      Kind k = d.classify(e);
      if (k != Kind.OTHER) return k;
    }
    return Kind.OTHER;
  }

  public static FlowstoreException translate(String doing, SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    return switch (kind(e)) {
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

  /** Whether this is a unique-constraint violation. */
  public static boolean isUniqueViolation(SQLException e) {
    return kind(e) == Kind.UNIQUE_VIOLATION;
  }
}
