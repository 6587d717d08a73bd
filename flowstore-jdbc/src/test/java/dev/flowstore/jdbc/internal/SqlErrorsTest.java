package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The translation of JDBC failures, standard SQLSTATE classes and each database's own codes and
 * messages (classified by its dialect) alike.
 */
class SqlErrorsTest {
  private static final Dialect POSTGRES = new PostgresDialect("app");
  private static final Dialect SQLITE = new SqliteDialect();

  private static FlowstoreException translate(Dialect dialect, SQLException e) {
    return SqlErrors.translate(dialect, "doing", e);
  }

  @Test
  void aLostOrRefusedConnectionIsUnavailable() {
    for (FlowstoreException f :
        List.of(
            translate(SQLITE, new SQLTransientConnectionException("pool timeout")),
            translate(SQLITE, new SQLException("connection lost", "08006")),
            translate(POSTGRES, new SQLException("connection lost", "08006")),
            translate(
                POSTGRES,
                new SQLException("terminating connection due to administrator command", "57P01")),
            translate(POSTGRES, new SQLException("the database system is starting up", "57P03")))) {
      assertThat(f.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(f.getMessage()).startsWith("doing: database unavailable: ");
    }
  }

  @Test
  void aConflictTheDatabaseResolvedIsBusy() {
    for (FlowstoreException f :
        List.of(
            translate(POSTGRES, new SQLException("could not serialize access", "40001")),
            translate(SQLITE, new SQLException("could not serialize access", "40001")),
            translate(POSTGRES, new SQLException("deadlock detected", "40P01")),
            translate(
                SQLITE,
                new SQLException("[SQLITE_BUSY] The database file is locked (database is locked)")),
            translate(SQLITE, new SQLException("database is locked")))) {
      assertThat(f.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(f.getMessage()).startsWith("doing: database busy, retry: ");
    }
  }

  @Test
  void anythingElseIsInternal() {
    assertThat(translate(POSTGRES, new SQLException("duplicate key", "23505")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(translate(POSTGRES, new SQLException("syntax error", "42601")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(translate(SQLITE, new SQLException((String) null)).getMessage())
        .isEqualTo("doing: ");
  }

  @Test
  void uniqueViolationsOfEitherDatabase() {
    assertThat(SqlErrors.isUniqueViolation(POSTGRES, new SQLException("duplicate key", "23505")))
        .isTrue();
    assertThat(
            SqlErrors.isUniqueViolation(
                SQLITE, new SQLException("[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed")))
        .isTrue();
    assertThat(
            SqlErrors.isUniqueViolation(
                SQLITE,
                new SQLException("[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed")))
        .isTrue();
    assertThat(SqlErrors.isUniqueViolation(POSTGRES, new SQLException("foreign key", "23503")))
        .isFalse();
    assertThat(
            SqlErrors.isUniqueViolation(
                SQLITE,
                new SQLException("[SQLITE_CONSTRAINT_FOREIGNKEY] A foreign key constraint failed")))
        .isFalse();
  }

  @Test
  void eachDialectClassifiesOnlyItsOwnDatabasesFailures() {
    SQLException busy = new SQLException("[SQLITE_BUSY] The database file is locked");
    SQLException deadlock = new SQLException("deadlock detected", "40P01");
    assertThat(SQLITE.classify(busy)).isEqualTo(SqlErrors.Kind.BUSY);
    assertThat(POSTGRES.classify(busy)).isEqualTo(SqlErrors.Kind.OTHER);
    assertThat(POSTGRES.classify(deadlock)).isEqualTo(SqlErrors.Kind.BUSY);
    assertThat(SQLITE.classify(deadlock)).isEqualTo(SqlErrors.Kind.OTHER);
    // why: SqlErrors asks only the dialect it is given (no list of every dialect shipped)
    assertThat(translate(POSTGRES, busy).code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(translate(SQLITE, deadlock).code()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void aFailedCommitIsUnknownUnlessTheDatabaseRolledBack() {
    assertThat(SqlErrors.commitFailed(POSTGRES, "c", new SQLException("lost", "08006")).code())
        .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(SqlErrors.commitFailed(POSTGRES, "c", new SQLException("deadlock", "40P01")).code())
        .isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
    assertThat(SqlErrors.autocommitFailed(POSTGRES, "c", new SQLException("lost", "08006")).code())
        .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(
            SqlErrors.autocommitFailed(POSTGRES, "c", new SQLException("deadlock", "40P01")).code())
        .isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
  }

  /**
   * The exchange that carries a transaction's last statements and its COMMIT: unknown only when the
   * session was lost (the COMMIT may have run); the server's own error, whichever statement it
   * answers, rolled back, and is translated as a failed statement.
   */
  @Test
  void aFailedExchangeWithTheCommitIsUnknownOnlyWhenTheSessionWasLost() {
    SQLException fatal = new SQLException("terminating connection", "57P01");
    // pgjdbc: the server's FATAL first, then its own I/O failure on the closed socket
    fatal.setNextException(new SQLException("An I/O error occurred", "08006"));
    SQLException io =
        new SQLException("An I/O error occurred", null, new java.io.IOException("reset"));
    for (SQLException lost :
        List.of(new SQLException("lost", "08006"), new SQLException("refused", "08001"), fatal, io))
      assertThat(SqlErrors.commitExchangeFailed(POSTGRES, "c", lost).code())
          .as(lost.getMessage())
          .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(
            SqlErrors.commitExchangeFailed(POSTGRES, "c", new SQLException("dup", "23505")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(
            SqlErrors.commitExchangeFailed(POSTGRES, "c", new SQLException("serial", "40001"))
                .code())
        .isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
    // unlike a COMMIT of its own: an error that is the server's answer is no unknown outcome
    SQLException denied = new SQLException("permission denied", "42501");
    assertThat(SqlErrors.commitExchangeFailed(POSTGRES, "c", denied).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(SqlErrors.commitFailed(POSTGRES, "c", denied).code())
        .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
  }
}
