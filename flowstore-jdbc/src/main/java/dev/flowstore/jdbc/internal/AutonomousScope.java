package dev.flowstore.jdbc.internal;

import dev.flowstore.TenantId;

/** Each call is its own transaction: the scope of {@code flowstore.events(tenant)} and the rest. */
record AutonomousScope(JdbcFlowstore flowstore, TenantId tenant) implements Scope {
  @Override
  public boolean ownsTransactions() {
    return true;
  }

  @Override
  public <T> T read(SqlWork<T> work) {
    return flowstore.read(tenant, work);
  }

  @Override
  public <T> T write(SqlWork<T> work) {
    return flowstore.write(tenant, work);
  }
}
