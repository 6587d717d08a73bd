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
import java.util.Set;
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

  // why: settings that outlive one use; a statement that had one is not handed to the next caller
  private static final Set<String> SETTINGS =
      Set.of(
          "setMaxRows",
          "setLargeMaxRows",
          "setQueryTimeout",
          "setFetchSize",
          "setFetchDirection",
          "setEscapeProcessing",
          "setPoolable",
          "setCursorName",
          "closeOnCompletion");

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
      return (PreparedStatement)
          Proxy.newProxyInstance(
              SqliteStatementCache.class.getClassLoader(),
              new Class<?>[] {PreparedStatement.class},
              new StatementHandler(this, sql, ps));
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

  /** One use of a cached statement, from {@code prepareStatement} to {@code close}. */
  private static final class StatementHandler implements InvocationHandler {
    private final ConnectionHandler owner;
    private final String sql;
    private final PreparedStatement real;
    private boolean reusable = true;
    private boolean closed;

    StatementHandler(ConnectionHandler owner, String sql, PreparedStatement real) {
      this.owner = owner;
      this.sql = sql;
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
      String name = m.getName();
      switch (name) {
        case "close" -> {
          if (!closed) {
            closed = true;
            owner.release(sql, real, reusable);
          }
          return null;
        }
        case "isClosed" -> {
          return closed || real.isClosed();
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return real.toString();
        }
        case "getConnection" -> {
          if (closed) throw new SQLException("statement closed");
          return owner.self;
        }
        default -> {}
      }
      // why: once closed, the statement may already be another caller's
      if (closed) throw new SQLException("statement closed");
      if (SETTINGS.contains(name)) reusable = false;
      return call(real, m, args);
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
