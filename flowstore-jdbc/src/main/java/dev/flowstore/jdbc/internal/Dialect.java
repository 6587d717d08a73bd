package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * What differs between the SQL databases flowstore runs on, and nothing else: the SQL engine
 * ({@link JdbcEventStore} and friends) is shared. A new database implements this and passes the
 * contract suites.
 */
public interface Dialect {
  /** The backend's name, as in FLOWSTORE_STORE_BACKEND. */
  String name();

  /** The Flyway location of this dialect's migrations. */
  default String migrations() {
    return "classpath:db/migration/" + name();
  }

  /**
   * Scopes a fresh transaction to a tenant (PostgreSQL: role and app.current_tenant, both LOCAL).
   */
  void beginTenantTransaction(Connection c, TenantId tenant) throws SQLException;

  /** The parameter placeholder for a JSON object value. */
  String jsonParam();

  /**
   * The row-lock suffix for "lock this row until commit", or "" where the database has one writer.
   */
  String forUpdate();

  void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException;

  UUID getUuid(ResultSet rs, String column) throws SQLException;

  void setTime(PreparedStatement ps, int index, Instant value) throws SQLException;

  Instant getTime(ResultSet rs, String column) throws SQLException;
}
