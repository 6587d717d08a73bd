package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * The translation of JDBC failures, standard SQLSTATE classes and each database's own codes and
 * messages (classified by its dialect) alike.
 */
class SqlErrorsTest {
  private static FlowstoreException translate(SQLException e) {
    return SqlErrors.translate("doing", e);
  }

  @Test
  void aLostOrRefusedConnectionIsUnavailable() {
    for (SQLException e :
        new SQLException[] {
          new SQLTransientConnectionException("pool timeout"),
          new SQLException("connection lost", "08006"),
          new SQLException("terminating connection due to administrator command", "57P01"),
          new SQLException("the database system is starting up", "57P03")
        }) {
      FlowstoreException f = translate(e);
      assertThat(f.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(f.getMessage()).startsWith("doing: database unavailable: ");
    }
  }

  @Test
  void aConflictTheDatabaseResolvedIsBusy() {
    for (SQLException e :
        new SQLException[] {
          new SQLException("could not serialize access", "40001"),
          new SQLException("deadlock detected", "40P01"),
          new SQLException("[SQLITE_BUSY] The database file is locked (database is locked)"),
          new SQLException("database is locked")
        }) {
      FlowstoreException f = translate(e);
      assertThat(f.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(f.getMessage()).startsWith("doing: database busy, retry: ");
    }
  }

  @Test
  void anythingElseIsInternal() {
    assertThat(translate(new SQLException("duplicate key", "23505")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(translate(new SQLException("syntax error", "42601")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(translate(new SQLException((String) null)).getMessage()).isEqualTo("doing: ");
  }

  @Test
  void uniqueViolationsOfEitherDatabase() {
    assertThat(SqlErrors.isUniqueViolation(new SQLException("duplicate key", "23505"))).isTrue();
    assertThat(
            SqlErrors.isUniqueViolation(
                new SQLException("[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed")))
        .isTrue();
    assertThat(
            SqlErrors.isUniqueViolation(
                new SQLException("[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed")))
        .isTrue();
    assertThat(SqlErrors.isUniqueViolation(new SQLException("foreign key", "23503"))).isFalse();
    assertThat(
            SqlErrors.isUniqueViolation(
                new SQLException("[SQLITE_CONSTRAINT_FOREIGNKEY] A foreign key constraint failed")))
        .isFalse();
  }

  @Test
  void eachDialectClassifiesOnlyItsOwnDatabasesFailures() {
    SQLException busy = new SQLException("[SQLITE_BUSY] The database file is locked");
    SQLException deadlock = new SQLException("deadlock detected", "40P01");
    assertThat(new SqliteDialect().classify(busy)).isEqualTo(SqlErrors.Kind.BUSY);
    assertThat(new PostgresDialect("app").classify(busy)).isEqualTo(SqlErrors.Kind.OTHER);
    assertThat(new PostgresDialect("app").classify(deadlock)).isEqualTo(SqlErrors.Kind.BUSY);
    assertThat(new SqliteDialect().classify(deadlock)).isEqualTo(SqlErrors.Kind.OTHER);
  }

  @Test
  void aFailedCommitIsUnknownUnlessTheDatabaseRolledBack() {
    assertThat(SqlErrors.commitFailed("c", new SQLException("lost", "08006")).code())
        .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(SqlErrors.commitFailed("c", new SQLException("deadlock", "40P01")).code())
        .isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
    assertThat(SqlErrors.autocommitFailed("c", new SQLException("lost", "08006")).code())
        .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    assertThat(SqlErrors.autocommitFailed("c", new SQLException("deadlock", "40P01")).code())
        .isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
  }
}
