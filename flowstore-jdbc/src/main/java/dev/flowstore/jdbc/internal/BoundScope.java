package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Every call joins the caller's transaction on {@code connection}: the scope of {@code
 * inTransaction}'s stores, and of stores composing stores ({@link JdbcFlowstore#joined}). Unusable
 * once closed (the callback has returned), so a store kept past its transaction fails loudly
 * instead of writing on a connection that went back to the pool.
 */
final class BoundScope implements Scope {
  private final JdbcFlowstore flowstore;
  private final TenantId tenant;
  private final Connection connection;
  private volatile boolean closed;

  BoundScope(JdbcFlowstore flowstore, TenantId tenant, Connection connection) {
    this.flowstore = flowstore;
    this.tenant = tenant;
    this.connection = connection;
  }

  @Override
  public TenantId tenant() {
    return tenant;
  }

  @Override
  public JdbcFlowstore flowstore() {
    return flowstore;
  }

  @Override
  public <T> T read(SqlWork<T> work) {
    return write(work);
  }

  @Override
  public <T> T write(SqlWork<T> work) {
    if (closed)
      throw new FlowstoreException(
          ErrorCode.INTERNAL,
          "this transaction has ended; use it only inside its inTransaction callback");
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw SqlErrors.translate(
          flowstore.dialect(), "statement in transaction for tenant " + tenant, e);
    }
  }

  void close() {
    closed = true;
  }
}
