package dev.flowstore.jdbc.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * A prepared-statement cache for each SQLite connection: {@code prepareStatement(sql)} hands back a
 * statement of the same text that an earlier caller closed, and {@code close()} keeps it for the
 * next one instead of finalizing it. why: sqlite-jdbc compiles the SQL at every {@code
 * prepareStatement} (no cache of its own, and HikariCP has none by design), which was half the time
 * of a get by id; PostgreSQL's driver keeps its own server-side statements, so this is SQLite's
 * only.
 *
 * <p>A statement is handed to one caller at a time (the same text prepared twice while the first is
 * open gets a second statement). Back in the cache it is reset (no read transaction left open by a
 * result set that was not read to its end) and its parameters and batch are cleared. One whose
 * settings changed ({@code setMaxRows}, {@code setQueryTimeout}, {@code setFetchSize}...) is closed
 * for real. The least recently used statements beyond {@link #SIZE} per connection are finalized;
 * all of them when the connection closes. SQLite re-prepares a cached statement by itself when the
 * schema changed under it.
 */
public final class SqliteStatementCache {
  /** The most idle statements kept per connection. */
  static final int SIZE = 128;

  private SqliteStatementCache() {}

  /** {@code ds} whose connections cache their prepared statements. */
  public static DataSource wrap(DataSource ds) {
    return new CachingDataSource(ds);
  }

  private static Connection caching(Connection real) {
    return (Connection)
        Proxy.newProxyInstance(
            SqliteStatementCache.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new ConnectionHandler(real));
  }

  private static Object call(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The idle statements of one connection, by text, least recently used first. */
  private static final class ConnectionHandler implements InvocationHandler {
    private final Connection real;
    private final LinkedHashMap<String, PreparedStatement> idle =
        new LinkedHashMap<>(64, 0.75f, true);
    private Connection self;
    private boolean closed;

    ConnectionHandler(Connection real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
      self = (Connection) proxy;
      switch (m.getName()) {
        case "prepareStatement" -> {
          if (args.length == 1) return take((String) args[0]);
        }
        case "close" -> {
          closeAll();
          return call(real, m, args);
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "cached statements of " + real;
        }
        default -> {}
      }
      return call(real, m, args);
    }

    private synchronized PreparedStatement take(String sql) throws SQLException {
      if (closed) throw new SQLException("connection closed");
      PreparedStatement ps = idle.remove(sql);
      if (ps == null) ps = real.prepareStatement(sql);
      return new CachedStatement(this, sql, ps);
    }

    /** Keeps {@code ps} for the next caller of its text, or closes it. */
    void release(String sql, PreparedStatement ps, boolean reusable) throws SQLException {
      if (reusable) {
        try {
          ps.clearBatch();
          ps.clearParameters();
          // why: a result set not read to its end keeps its read transaction (a WAL snapshot)
          // open until the statement is reset; the driver resets only before the next execute
          if (ps instanceof CoreStatement cs) cs.pointer.safeRunInt(DB::reset);
          else reusable = false;
        } catch (SQLException | RuntimeException e) {
          reusable = false;
        }
      }
      PreparedStatement evicted = null;
      synchronized (this) {
        if (reusable && !closed && !idle.containsKey(sql)) {
          idle.put(sql, ps);
          ps = null;
          if (idle.size() > SIZE) {
            Iterator<Map.Entry<String, PreparedStatement>> it = idle.entrySet().iterator();
            evicted = it.next().getValue();
            it.remove();
          }
        }
      }
      if (ps != null) ps.close();
      if (evicted != null) evicted.close();
    }

    private void closeAll() {
      PreparedStatement[] all;
      synchronized (this) {
        closed = true;
        all = idle.values().toArray(new PreparedStatement[0]);
        idle.clear();
      }
      for (PreparedStatement ps : all) {
        try {
          ps.close();
        } catch (SQLException e) {
          // why: the connection closes next, which finalizes whatever is left
        }
      }
    }
  }

  /**
   * One use of a cached statement, from {@code prepareStatement} to {@code close}. why a class and
   * not a dynamic proxy: it is made for every statement, and every call goes through it.
   */
  private static final class CachedStatement implements PreparedStatement {
    private final ConnectionHandler owner;
    private final String sql;
    private final PreparedStatement real;
    // why: settings that outlive one use ({@code setMaxRows}...): not handed to the next caller
    private boolean changed;
    private boolean closed;

    CachedStatement(ConnectionHandler owner, String sql, PreparedStatement real) {
      this.owner = owner;
      this.sql = sql;
      this.real = real;
    }

    /** The statement, while it is this caller's. */
    private PreparedStatement open() throws SQLException {
      // why: once closed, the statement may already be another caller's
      if (closed) throw new SQLException("statement closed");
      return real;
    }

    @Override
    public void close() throws SQLException {
      if (closed) return;
      closed = true;
      owner.release(sql, real, !changed);
    }

    @Override
    public boolean isClosed() throws SQLException {
      return closed || real.isClosed();
    }

    @Override
    public Connection getConnection() throws SQLException {
      open();
      return owner.self;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return iface.isInstance(this) ? iface.cast(this) : open().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return iface.isInstance(this) || open().isWrapperFor(iface);
    }

    @Override
    public String toString() {
      return real.toString();
    }

    @Override
    public void addBatch() throws SQLException {
      open().addBatch();
    }

    @Override
    public void addBatch(String a0) throws SQLException {
      open().addBatch(a0);
    }

    @Override
    public void cancel() throws SQLException {
      open().cancel();
    }

    @Override
    public void clearBatch() throws SQLException {
      open().clearBatch();
    }

    @Override
    public void clearParameters() throws SQLException {
      open().clearParameters();
    }

    @Override
    public void clearWarnings() throws SQLException {
      open().clearWarnings();
    }

    @Override
    public void closeOnCompletion() throws SQLException {
      changed = true;
      open().closeOnCompletion();
    }

    @Override
    public int[] executeBatch() throws SQLException {
      return open().executeBatch();
    }

    @Override
    public java.sql.ResultSet executeQuery() throws SQLException {
      return open().executeQuery();
    }

    @Override
    public java.sql.ResultSet executeQuery(String a0) throws SQLException {
      return open().executeQuery(a0);
    }

    @Override
    public int executeUpdate() throws SQLException {
      return open().executeUpdate();
    }

    @Override
    public int executeUpdate(String a0, int[] a1) throws SQLException {
      return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0, String[] a1) throws SQLException {
      return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0, int a1) throws SQLException {
      return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0) throws SQLException {
      return open().executeUpdate(a0);
    }

    @Override
    public boolean execute() throws SQLException {
      return open().execute();
    }

    @Override
    public boolean execute(String a0, int[] a1) throws SQLException {
      return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0, String[] a1) throws SQLException {
      return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0, int a1) throws SQLException {
      return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0) throws SQLException {
      return open().execute(a0);
    }

    @Override
    public int getFetchDirection() throws SQLException {
      return open().getFetchDirection();
    }

    @Override
    public int getFetchSize() throws SQLException {
      return open().getFetchSize();
    }

    @Override
    public java.sql.ResultSet getGeneratedKeys() throws SQLException {
      return open().getGeneratedKeys();
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
      return open().getMaxFieldSize();
    }

    @Override
    public int getMaxRows() throws SQLException {
      return open().getMaxRows();
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws SQLException {
      return open().getMetaData();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
      return open().getMoreResults();
    }

    @Override
    public boolean getMoreResults(int a0) throws SQLException {
      return open().getMoreResults(a0);
    }

    @Override
    public java.sql.ParameterMetaData getParameterMetaData() throws SQLException {
      return open().getParameterMetaData();
    }

    @Override
    public int getQueryTimeout() throws SQLException {
      return open().getQueryTimeout();
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
      return open().getResultSetConcurrency();
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
      return open().getResultSetHoldability();
    }

    @Override
    public int getResultSetType() throws SQLException {
      return open().getResultSetType();
    }

    @Override
    public java.sql.ResultSet getResultSet() throws SQLException {
      return open().getResultSet();
    }

    @Override
    public int getUpdateCount() throws SQLException {
      return open().getUpdateCount();
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
      return open().getWarnings();
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
      return open().isCloseOnCompletion();
    }

    @Override
    public boolean isPoolable() throws SQLException {
      return open().isPoolable();
    }

    @Override
    public void setArray(int a0, java.sql.Array a1) throws SQLException {
      open().setArray(a0, a1);
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
      open().setAsciiStream(a0, a1, a2);
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
      open().setAsciiStream(a0, a1, a2);
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
      open().setAsciiStream(a0, a1);
    }

    @Override
    public void setBigDecimal(int a0, java.math.BigDecimal a1) throws SQLException {
      open().setBigDecimal(a0, a1);
    }

    @Override
    public void setBinaryStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
      open().setBinaryStream(a0, a1, a2);
    }

    @Override
    public void setBinaryStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
      open().setBinaryStream(a0, a1, a2);
    }

    @Override
    public void setBinaryStream(int a0, java.io.InputStream a1) throws SQLException {
      open().setBinaryStream(a0, a1);
    }

    @Override
    public void setBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
      open().setBlob(a0, a1, a2);
    }

    @Override
    public void setBlob(int a0, java.io.InputStream a1) throws SQLException {
      open().setBlob(a0, a1);
    }

    @Override
    public void setBlob(int a0, java.sql.Blob a1) throws SQLException {
      open().setBlob(a0, a1);
    }

    @Override
    public void setBoolean(int a0, boolean a1) throws SQLException {
      open().setBoolean(a0, a1);
    }

    @Override
    public void setByte(int a0, byte a1) throws SQLException {
      open().setByte(a0, a1);
    }

    @Override
    public void setBytes(int a0, byte[] a1) throws SQLException {
      open().setBytes(a0, a1);
    }

    @Override
    public void setCharacterStream(int a0, java.io.Reader a1, int a2) throws SQLException {
      open().setCharacterStream(a0, a1, a2);
    }

    @Override
    public void setCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
      open().setCharacterStream(a0, a1, a2);
    }

    @Override
    public void setCharacterStream(int a0, java.io.Reader a1) throws SQLException {
      open().setCharacterStream(a0, a1);
    }

    @Override
    public void setClob(int a0, java.io.Reader a1, long a2) throws SQLException {
      open().setClob(a0, a1, a2);
    }

    @Override
    public void setClob(int a0, java.io.Reader a1) throws SQLException {
      open().setClob(a0, a1);
    }

    @Override
    public void setClob(int a0, java.sql.Clob a1) throws SQLException {
      open().setClob(a0, a1);
    }

    @Override
    public void setCursorName(String a0) throws SQLException {
      changed = true;
      open().setCursorName(a0);
    }

    @Override
    public void setDate(int a0, java.sql.Date a1, java.util.Calendar a2) throws SQLException {
      open().setDate(a0, a1, a2);
    }

    @Override
    public void setDate(int a0, java.sql.Date a1) throws SQLException {
      open().setDate(a0, a1);
    }

    @Override
    public void setDouble(int a0, double a1) throws SQLException {
      open().setDouble(a0, a1);
    }

    @Override
    public void setEscapeProcessing(boolean a0) throws SQLException {
      changed = true;
      open().setEscapeProcessing(a0);
    }

    @Override
    public void setFetchDirection(int a0) throws SQLException {
      changed = true;
      open().setFetchDirection(a0);
    }

    @Override
    public void setFetchSize(int a0) throws SQLException {
      changed = true;
      open().setFetchSize(a0);
    }

    @Override
    public void setFloat(int a0, float a1) throws SQLException {
      open().setFloat(a0, a1);
    }

    @Override
    public void setInt(int a0, int a1) throws SQLException {
      open().setInt(a0, a1);
    }

    @Override
    public void setLong(int a0, long a1) throws SQLException {
      open().setLong(a0, a1);
    }

    @Override
    public void setMaxFieldSize(int a0) throws SQLException {
      open().setMaxFieldSize(a0);
    }

    @Override
    public void setMaxRows(int a0) throws SQLException {
      changed = true;
      open().setMaxRows(a0);
    }

    @Override
    public void setNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
      open().setNCharacterStream(a0, a1, a2);
    }

    @Override
    public void setNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
      open().setNCharacterStream(a0, a1);
    }

    @Override
    public void setNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
      open().setNClob(a0, a1, a2);
    }

    @Override
    public void setNClob(int a0, java.io.Reader a1) throws SQLException {
      open().setNClob(a0, a1);
    }

    @Override
    public void setNClob(int a0, java.sql.NClob a1) throws SQLException {
      open().setNClob(a0, a1);
    }

    @Override
    public void setNString(int a0, String a1) throws SQLException {
      open().setNString(a0, a1);
    }

    @Override
    public void setNull(int a0, int a1, String a2) throws SQLException {
      open().setNull(a0, a1, a2);
    }

    @Override
    public void setNull(int a0, int a1) throws SQLException {
      open().setNull(a0, a1);
    }

    @Override
    public void setObject(int a0, Object a1, int a2, int a3) throws SQLException {
      open().setObject(a0, a1, a2, a3);
    }

    @Override
    public void setObject(int a0, Object a1, int a2) throws SQLException {
      open().setObject(a0, a1, a2);
    }

    @Override
    public void setObject(int a0, Object a1) throws SQLException {
      open().setObject(a0, a1);
    }

    @Override
    public void setPoolable(boolean a0) throws SQLException {
      changed = true;
      open().setPoolable(a0);
    }

    @Override
    public void setQueryTimeout(int a0) throws SQLException {
      changed = true;
      open().setQueryTimeout(a0);
    }

    @Override
    public void setRef(int a0, java.sql.Ref a1) throws SQLException {
      open().setRef(a0, a1);
    }

    @Override
    public void setRowId(int a0, java.sql.RowId a1) throws SQLException {
      open().setRowId(a0, a1);
    }

    @Override
    public void setSQLXML(int a0, java.sql.SQLXML a1) throws SQLException {
      open().setSQLXML(a0, a1);
    }

    @Override
    public void setShort(int a0, short a1) throws SQLException {
      open().setShort(a0, a1);
    }

    @Override
    public void setString(int a0, String a1) throws SQLException {
      open().setString(a0, a1);
    }

    @Override
    public void setTime(int a0, java.sql.Time a1, java.util.Calendar a2) throws SQLException {
      open().setTime(a0, a1, a2);
    }

    @Override
    public void setTime(int a0, java.sql.Time a1) throws SQLException {
      open().setTime(a0, a1);
    }

    @Override
    public void setTimestamp(int a0, java.sql.Timestamp a1, java.util.Calendar a2)
        throws SQLException {
      open().setTimestamp(a0, a1, a2);
    }

    @Override
    public void setTimestamp(int a0, java.sql.Timestamp a1) throws SQLException {
      open().setTimestamp(a0, a1);
    }

    @Override
    public void setURL(int a0, java.net.URL a1) throws SQLException {
      open().setURL(a0, a1);
    }

    @Override
    public void setUnicodeStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
      open().setUnicodeStream(a0, a1, a2);
    }
  }

  /** Hands out caching connections over another data source's. */
  private record CachingDataSource(DataSource ds) implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      return caching(ds.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return caching(ds.getConnection(user, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return ds.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      ds.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      ds.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return ds.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return ds.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return iface.isInstance(this) ? iface.cast(this) : ds.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return iface.isInstance(this) || ds.isWrapperFor(iface);
    }
  }
}
