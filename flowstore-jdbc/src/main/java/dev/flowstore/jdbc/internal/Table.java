package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One tenant's rows of one table, read as records: the select list and the row mapping are given
 * once per store, so each query of the store is its WHERE clause. Also holds the shape the status
 * changes of the workflow stores share ({@link #change}).
 */
record Table<T>(
    Dialect dialect, String tenant, String name, String columns, Columns.Mapper<T> mapper) {

  /**
   * {@code SELECT <columns> FROM <name> WHERE tenant_id = ?}, the tenant bound: append the rest.
   */
  Sql select() {
    return new Sql(dialect, "SELECT " + columns + " FROM " + name + " WHERE tenant_id = ?", tenant);
  }

  /** Any other statement of the store, its values bound through this table's dialect. */
  Sql sql(String fragment, Object... values) {
    return new Sql(dialect, fragment, values);
  }

  Optional<T> one(Connection c, Sql query) throws SQLException {
    return Columns.one(c, query, mapper);
  }

  List<T> list(Connection c, Sql query) throws SQLException {
    return Columns.list(c, query, mapper);
  }

  /**
   * Runs a conditional {@code update}, then reads the row back with {@code find}: no row is
   * NOT_FOUND ({@code notFound}); a row the update did not change is UNPROCESSABLE with the message
   * {@code refusal} gives for it, unless that is null (the row already is what the change wanted).
   * why: the condition is checked by the UPDATE itself, so of two concurrent changes one wins
   * (PostgreSQL re-checks it after waiting for the row lock; SQLite has one writer), and the read
   * only explains an update that matched nothing.
   */
  T change(Connection c, Sql update, Sql find, String notFound, Function<T, String> refusal)
      throws SQLException {
    int updated = Columns.update(c, update);
    T row = one(c, find).orElseThrow(() -> new FlowstoreException(ErrorCode.NOT_FOUND, notFound));
    if (updated == 0) {
      String why = refusal.apply(row);
      if (why != null) throw new FlowstoreException(ErrorCode.UNPROCESSABLE, why);
    }
    return row;
  }
}
