package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What differs between the SQL databases flowstore runs on, and nothing else: the SQL engine
 * ({@link JdbcEventStore} and friends) is shared and holds no database branch. A statement that
 * differs as a whole belongs to the dialect whole ({@link #queueSql}), not as a capability flag the
 * stores test. A new database implements this and passes the contract suites (docs/architecture.md,
 * "Adding a SQL database").
 */
public interface Dialect {
  /**
   * The database's name: its migrations folder ({@code db/migration/<name>}) and how messages name
   * it ({@code postgresql}, {@code sqlite}). Not FLOWSTORE_STORE_BACKEND's value: that names the
   * {@code StorageProvider} ({@code postgres}, {@code sqlite}).
   */
  String name();

  /** The Flyway location of this dialect's migrations. */
  default String migrations() {
    return "classpath:db/migration/" + name();
  }

  /**
   * What {@code e} means where its SQLSTATE class alone does not say ({@link SqlErrors} reads the
   * standard classes itself): this database's own codes and messages.
   */
  default SqlErrors.Kind classify(SQLException e) {
    return SqlErrors.Kind.OTHER;
  }

  /** The job queue's statements that differ on this database. */
  QueueSql queueSql();

  /**
   * Scopes a fresh transaction to a tenant (PostgreSQL: role and app.current_tenant, both LOCAL).
   */
  void beginTenantTransaction(Connection c, TenantId tenant) throws SQLException;

  /**
   * A transaction of exactly one statement in one round trip, or null where there is no such thing:
   * the tenant scope of {@link #beginTenantTransaction} followed by {@code sql} in one string.
   * PostgreSQL runs the statements of one protocol exchange (up to its Sync) as one implicit
   * transaction, so the scope holds for {@code sql}, ends with it, and a failure rolls back both.
   * The scope takes the first {@link #scopeParams} parameters (bound by {@link #bindScope}).
   */
  default String scopedStatement(String sql) {
    return null;
  }

  /** How many parameters the scope of {@link #scopedStatement} takes. */
  default int scopeParams() {
    return 0;
  }

  /** Binds the scope's parameters of a {@link #scopedStatement}. */
  default void bindScope(java.sql.PreparedStatement ps, TenantId tenant) throws SQLException {}

  /**
   * Starts the read transaction a backend copy or compare reads its source in: one consistent
   * snapshot of every table (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite: a deferred read
   * transaction, whose snapshot is taken by its first SELECT).
   */
  default void beginSnapshot(Connection c) throws SQLException {
    c.setAutoCommit(false);
  }

  /**
   * Scopes the current transaction of the schema's owner (not the application role) to {@code
   * tenant}, for the owner's work that walks every tenant's rows (backend copy and compare).
   * PostgreSQL: app.current_tenant, LOCAL, so row-level security (forced on the owner too) admits
   * the tenant's rows; elsewhere nothing.
   */
  default void scopeOwner(Connection c, String tenant) throws SQLException {}

  /**
   * Whether a statement's cost here is mostly its round trip (a database over the network: one
   * statement that does more beats two that do less) rather than its B-tree lookups (an embedded
   * database: two cheap statements can beat one joined statement). True by default; SQLite says
   * false.
   */
  default boolean roundTripBound() {
    return true;
  }

  /**
   * Whether this login sees every tenant's rows without naming the tenant (PostgreSQL: a superuser
   * or a role with BYPASSRLS; elsewhere always). When it does not, the tenants a copy or compare
   * walks are those of the {@code tenants} registry and {@code api_keys} only.
   */
  default boolean seesEveryTenant(Connection c) throws SQLException {
    return true;
  }

  /**
   * The columns of {@code table} that hold JSON although their type does not say so (SQLite: those
   * its CHECK constraints test with {@code json_type}), so copy and compare treat their values as
   * JSON; elsewhere none (PostgreSQL's {@code jsonb} says it).
   */
  default java.util.Set<String> jsonColumns(Connection c, String table) throws SQLException {
    return java.util.Set.of();
  }

  /**
   * {@code column} (a text column) sorted by the bytes of its UTF-8 text, the order SQLite's
   * default collation has, so two databases stream rows in the same order (backend compare).
   */
  default String inByteOrder(String column) {
    return column;
  }

  /** The parameter placeholder for a JSON object value. */
  String jsonParam();

  /**
   * The columns an INSERT into a table numbered by {@code seq} (jobs, outbox, workflow_checkpoints)
   * lists first to number its row itself, or "" where the database numbers it (PostgreSQL's
   * identity); {@link #seqValues} are their values.
   */
  default String seqColumns() {
    return "";
  }

  /** The values of {@link #seqColumns} for an insert into {@code table}, each followed by ", ". */
  default String seqValues(String table) {
    return "";
  }

  /**
   * The row-lock suffix for "lock this row until commit", or "" where the database has one writer.
   */
  String forUpdate();

  /**
   * The suffix for "lock these rows until commit, skipping rows another transaction holds" (work
   * queues: several claimers never wait on each other), or "" where the database has one writer.
   */
  String forUpdateSkipLocked();

  /**
   * How this store tells other processes, after commit, that wake-up keys moved (a queue has work,
   * a tenant's feed grew, the outbox has a message): the sender of its {@link CommitNotifier}
   * (PostgreSQL: {@code pg_notify} on a connection of its own), or null where no other process can
   * write (in-process wake-ups are signalled after commit by the SQL layer either way).
   */
  default CommitNotifier.Sender notifySender(FlowstoreConfig config) {
    return null;
  }

  /**
   * How often a feed waiter ({@link dev.flowstore.EventStore#awaitAll}) reads again without a
   * signal: the bound on how late it sees an append whose signal cannot reach it (another process
   * where {@link #notifySender} is null; a notification lost on the way).
   */
  Duration feedRecheck();

  /**
   * Starts listening for other processes' {@link #notifySender} messages on a connection of its
   * own, calling {@code onMessage} for each ({@code "*"} after a reconnect, when messages may have
   * been missed). Closing the result stops it. A no-op by default.
   */
  default AutoCloseable listenForWork(FlowstoreConfig config, Consumer<String> onMessage) {
    return () -> {};
  }

  void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException;

  UUID getUuid(ResultSet rs, String column) throws SQLException;

  void setTime(PreparedStatement ps, int index, Instant value) throws SQLException;

  Instant getTime(ResultSet rs, String column) throws SQLException;

  /**
   * {@link #getTime(ResultSet, String)} of the column at {@code index} (from 1). why: a lookup by
   * name is a map lookup per column per row (and, on SQLite, the names read from the statement
   * first), on the paths that map many rows.
   */
  Instant getTime(ResultSet rs, int index) throws SQLException;

  /**
   * The JSON object flowstore stored in the column at {@code index} (never null), read back without
   * re-checking it ({@link dev.flowstore.internal.Json#stored(String, String)}).
   */
  default com.fasterxml.jackson.databind.node.ObjectNode getStoredObject(
      ResultSet rs, int index, String what) throws SQLException {
    return dev.flowstore.internal.Json.stored(what, rs.getString(index));
  }

  /**
   * The JSON text flowstore stored in the column at {@code index} (never null), for a record to
   * parse when it is used ({@link dev.flowstore.StoredRecord#lazy}).
   */
  default String getStoredJson(ResultSet rs, int index, String what) throws SQLException {
    String text = rs.getString(index);
    if (text == null) throw new SQLException(what + ": NULL where a JSON object is stored");
    return text;
  }
}
