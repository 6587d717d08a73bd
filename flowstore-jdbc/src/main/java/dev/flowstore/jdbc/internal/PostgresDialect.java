package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.PostgresSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * PostgreSQL: each transaction switches to the application role and sets the tenant, both with
 * {@code set_config(..., true)} (= SET LOCAL), so nothing outlives the transaction on a pooled
 * connection.
 */
public final class PostgresDialect implements Dialect {
  private final String appRole;
  private final QueueSql queueSql = new PostgresQueueSql(this);

  public PostgresDialect(String appRole) {
    this.appRole = appRole;
  }

  @Override
  public String name() {
    return "postgresql";
  }

  private static final String SCOPE =
      "SELECT set_config('role', ?, true), set_config('app.current_tenant', ?, true)";

  @Override
  public void beginTenantTransaction(Connection c, TenantId tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SCOPE)) {
      bindScope(ps, tenant);
      ps.execute();
    }
  }

  @Override
  public void beginSnapshot(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }
  }

  @Override
  public void scopeOwner(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT set_config('app.current_tenant', ?, true)")) {
      ps.setString(1, tenant);
      ps.execute();
    }
  }

  @Override
  public boolean seesEveryTenant(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  @Override
  public String inByteOrder(String column) {
    return column + " COLLATE \"C\"";
  }

  @Override
  public String scopedStatement(String sql) {
    return SCOPE + "; " + sql;
  }

  @Override
  public int scopeParams() {
    return 2;
  }

  @Override
  public void bindScope(PreparedStatement ps, TenantId tenant) throws SQLException {
    ps.setString(1, appRole);
    ps.setString(2, tenant.value());
  }

  /**
   * PostgreSQL's own SQLSTATEs: 57P01 / 57P03 (the server is shutting down / not accepting
   * connections yet), 40P01 (a deadlock: this transaction was rolled back), 23505 (unique).
   */
  @Override
  public SqlErrors.Kind classify(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return switch (state) {
      case "57P01", "57P03" -> SqlErrors.Kind.UNAVAILABLE;
      case "40P01" -> SqlErrors.Kind.BUSY;
      case "23505" -> SqlErrors.Kind.UNIQUE_VIOLATION;
      default -> SqlErrors.Kind.OTHER;
    };
  }

  @Override
  public QueueSql queueSql() {
    return queueSql;
  }

  @Override
  public String jsonParam() {
    return "?::jsonb";
  }

  @Override
  public String forUpdate() {
    return " FOR UPDATE";
  }

  @Override
  public String forUpdateSkipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  @Override
  public CommitNotifier.Sender notifySender(FlowstoreConfig config) {
    // why: the channel follows the schema, so stores in different schemas of one database do not
    // wake each other
    PostgresSettings pg = PostgresSettings.of(config);
    return new PgNotifySender(pg.dsn(), PgWorkListener.channel(pg.schema()));
  }

  /**
   * A safety net: appends of every process wake waiters through NOTIFY, sent after commit by the
   * appending process's {@link CommitNotifier}; 15 s bounds how late a waiter sees an append whose
   * notification was lost (that process died between its commit and the send, or its sends fail).
   */
  @Override
  public Duration feedRecheck() {
    // why not shorter: EventStoreContract's "promptly" (10 s) must stay below it, so that a
    // missing signal fails those tests instead of being covered up by this re-read
    return Duration.ofSeconds(15);
  }

  @Override
  public AutoCloseable listenForWork(FlowstoreConfig config, Consumer<String> onMessage) {
    PostgresSettings pg = PostgresSettings.of(config);
    return PgWorkListener.start(pg.dsn(), PgWorkListener.channel(pg.schema()), onMessage);
  }

  @Override
  public void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    ps.setObject(index, value);
  }

  @Override
  public UUID getUuid(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  @Override
  public void setTime(PreparedStatement ps, int index, Instant value) throws SQLException {
    ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
  }

  @Override
  public Instant getTime(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  @Override
  public Instant getTime(ResultSet rs, int index) throws SQLException {
    return rs.getObject(index, OffsetDateTime.class).toInstant();
  }
}
