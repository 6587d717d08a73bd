package dev.flowstore.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of SQL run on a connection that is already inside a tenant-scoped transaction. */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection c) throws SQLException;
}
