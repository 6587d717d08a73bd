package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One end of a backend copy or compare, read in one consistent snapshot ({@link
 * Dialect#beginSnapshot}) as the schema's owner, tenant by tenant ({@link Dialect#scopeOwner}). On
 * SQLite it reads through the reader pool, so a live server's writes are not blocked.
 */
final class Snapshot implements AutoCloseable {
  /** Rows fetched per round trip while streaming a table. */
  static final int FETCH = 1000;

  final JdbcFlowstore store;
  final Dialect dialect;
  final Connection connection;

  private Snapshot(JdbcFlowstore store, Connection connection) {
    this.store = store;
    this.dialect = store.dialect();
    this.connection = connection;
  }

  /** The SQL engine behind {@code fs}, or CONFIGURATION naming {@code role} if it has none. */
  static JdbcFlowstore sql(Flowstore fs, String role) {
    if (fs instanceof JdbcFlowstore j) return j;
    throw new FlowstoreException(
        ErrorCode.CONFIGURATION,
        "the " + role + " " + fs.describe() + " is not a SQL backend (sqlite or postgres)");
  }

  static Snapshot open(JdbcFlowstore store) {
    Connection c = null;
    try {
      c = store.readers().getConnection();
      store.dialect().beginSnapshot(c);
      return new Snapshot(store, c);
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw SqlErrors.translate(store.dialect(), "opening a snapshot of " + store.describe(), e);
    }
  }

  /**
   * Every tenant with rows here, sorted: those registered in {@code tenants}, those with API keys,
   * and any other a tenant table shows (on PostgreSQL a login that bypasses row-level security sees
   * them all; the owner sees the first two).
   */
  List<String> tenants() throws SQLException {
    TreeSet<String> out = new TreeSet<>();
    for (TableCatalog.Table t : TableCatalog.tenantTables()) {
      if (t.copy() == TableCatalog.Copy.NEVER) continue;
      String column = t.tenantColumn().orElseThrow();
      try (PreparedStatement ps =
              connection.prepareStatement("SELECT DISTINCT " + column + " FROM " + t.name());
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return new ArrayList<>(out);
  }

  /** Scopes what follows to {@code tenant} (empty: a shared table). */
  void scope(String tenant) throws SQLException {
    if (!tenant.isEmpty()) dialect.scopeOwner(connection, tenant);
  }

  /**
   * The rows of {@code shape}'s table for {@code tenant} ("" for a shared table) in the order of
   * {@code order} (bytewise for texts when {@code byteOrder}), those after {@code after} (values of
   * the order's columns, or null for all), fetched {@link #FETCH} at a time.
   */
  Cursor rows(
      CopyShape shape,
      String tenant,
      List<CopyShape.Column> order,
      List<Object> after,
      boolean byteOrder)
      throws SQLException {
    scope(tenant);
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(
                shape.read.stream().map(CopyShape.Column::name).collect(Collectors.joining(", ")))
            .append(" FROM ")
            .append(shape.table.name());
    List<String> where = new ArrayList<>();
    if (!tenant.isEmpty()) where.add(shape.table.tenantColumn().orElseThrow() + " = ?");
    if (after != null && !order.isEmpty()) {
      String cols = order.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "));
      String marks = order.stream().map(c -> "?").collect(Collectors.joining(", "));
      where.add(order.size() == 1 ? cols + " > ?" : "(" + cols + ") > (" + marks + ")");
    }
    if (!where.isEmpty()) sql.append(" WHERE ").append(String.join(" AND ", where));
    if (!order.isEmpty())
      sql.append(" ORDER BY ")
          .append(
              order.stream()
                  .map(
                      c ->
                          byteOrder && c.kind() == CopyShape.Kind.TEXT
                              ? dialect.inByteOrder(c.name())
                              : c.name())
                  .collect(Collectors.joining(", ")));
    PreparedStatement ps = connection.prepareStatement(sql.toString());
    try {
      ps.setFetchSize(FETCH);
      int i = 1;
      if (!tenant.isEmpty()) ps.setString(i++, tenant);
      if (after != null)
        for (int k = 0; k < order.size(); k++)
          CopyShape.bind(dialect, ps, i++, order.get(k), after.get(k));
      return new Cursor(ps, ps.executeQuery(), shape);
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** Rows as {@link CopyShape#read} values, in the order of {@link CopyShape#read}. */
  final class Cursor implements AutoCloseable {
    private final PreparedStatement ps;
    private final ResultSet rs;
    private final CopyShape shape;

    private Cursor(PreparedStatement ps, ResultSet rs, CopyShape shape) {
      this.ps = ps;
      this.rs = rs;
      this.shape = shape;
    }

    /** The next row, or null after the last. */
    List<Object> next() throws SQLException {
      if (!rs.next()) return null;
      List<Object> row = new ArrayList<>(shape.read.size());
      for (CopyShape.Column c : shape.read) row.add(CopyShape.read(dialect, rs, c));
      return row;
    }

    @Override
    public void close() throws SQLException {
      try (ps) {
        rs.close();
      }
    }
  }

  /**
   * A warning when this login may not see every tenant ({@link Dialect#seesEveryTenant}), or null.
   */
  String tenantWarning() throws SQLException {
    if (dialect.seesEveryTenant(connection)) return null;
    return "the login of "
        + store.describe()
        + " neither is a superuser nor has BYPASSRLS, so only the tenants of its tenants registry"
        + " and API keys were walked (a tenant that never appended an event, enqueued a job or wrote"
        + " an outbox message, idempotency key or resume handle is not registered): to be sure of"
        + " every tenant, run this as a login with BYPASSRLS (ALTER ROLE ... BYPASSRLS)";
  }

  /** Counts {@code table}'s rows of {@code tenant} ("" for a shared table). */
  long count(TableCatalog.Table table, String tenant) throws SQLException {
    scope(tenant);
    String sql =
        "SELECT COUNT(*) FROM "
            + table.name()
            + (tenant.isEmpty() ? "" : " WHERE " + table.tenantColumn().orElseThrow() + " = ?");
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      if (!tenant.isEmpty()) ps.setString(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public void close() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // why: a read-only snapshot has nothing to lose; the connection goes back to the pool
    }
    try {
      connection.setAutoCommit(true);
      connection.close();
    } catch (SQLException e) {
      // the pool discards a broken connection
    }
  }
}
