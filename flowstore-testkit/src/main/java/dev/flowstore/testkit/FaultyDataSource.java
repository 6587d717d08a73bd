package dev.flowstore.testkit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Wraps a {@link DataSource} so that commits fail on purpose, the way a connection lost during
 * {@code COMMIT} fails: {@link Fault#LOST_AFTER_COMMIT} really commits, then throws {@code
 * SQLException("connection lost", "08006")} (the server committed, the answer never arrived);
 * {@link Fault#LOST_BEFORE_COMMIT} throws the same without committing. A commit is {@code
 * Connection.commit()}, a statement executed in autocommit mode (it commits on its own), or a
 * statement whose text ends with {@code COMMIT} (statements sent together with the commit of their
 * transaction, in one exchange).
 *
 * <p>Nothing fails until {@link #arm}ed; each armed fault is used once. The connections underneath
 * stay healthy (only the answer is faked), so a pool keeps working.
 */
public final class FaultyDataSource {
  /** What an armed commit does. */
  public enum Fault {
    LOST_AFTER_COMMIT,
    LOST_BEFORE_COMMIT
  }

  private final AtomicInteger seen = new AtomicInteger();
  private final AtomicInteger injected = new AtomicInteger();
  private volatile Fault fault = Fault.LOST_AFTER_COMMIT;
  private volatile int skip;
  private volatile int count;

  /**
   * From now on, the commits after the first {@code skip} fail with {@code fault}, {@code count} of
   * them ({@link Integer#MAX_VALUE}: all).
   */
  public synchronized void arm(Fault fault, int skip, int count) {
    this.count = 0;
    this.fault = fault;
    this.skip = skip;
    seen.set(0);
    injected.set(0);
    this.count = count;
  }

  public void disarm() {
    count = 0;
  }

  /** How many commits have failed on purpose since the last {@link #arm}. */
  public int injected() {
    return injected.get();
  }

  public DataSource wrap(DataSource ds) {
    return proxy(
        DataSource.class,
        ds,
        (m, args) ->
            m.getName().equals("getConnection")
                ? connection((Connection) invoke(ds, m, args))
                : invoke(ds, m, args));
  }

  private Connection connection(Connection c) {
    return proxy(
        Connection.class,
        c,
        (m, args) -> {
          String name = m.getName();
          if (name.equals("commit")) {
            commit(() -> invoke(c, m, args));
            return null;
          }
          Object out = invoke(c, m, args);
          if (out instanceof Statement s
              && (name.equals("createStatement") || name.startsWith("prepare"))) {
            boolean commits =
                name.startsWith("prepare")
                    && args[0] instanceof String sql
                    && sql.strip().toUpperCase(Locale.ROOT).endsWith("COMMIT");
            return statement(c, s, m.getReturnType(), commits);
          }
          return out;
        });
  }

  @SuppressWarnings("unchecked")
  private <S> S statement(Connection c, Statement s, Class<S> type, boolean commits) {
    return proxy(
        type,
        (S) s,
        (m, args) -> {
          if (m.getName().startsWith("execute") && (commits || c.getAutoCommit())) {
            Object[] out = new Object[1];
            commit(() -> out[0] = invoke(s, m, args));
            return out[0];
          }
          return invoke(s, m, args);
        });
  }

  private interface Step {
    Object run() throws Throwable;
  }

  private void commit(Step real) throws Throwable {
    int i = seen.getAndIncrement();
    boolean fail = i >= skip && (long) i < (long) skip + count;
    if (!fail) {
      real.run();
      return;
    }
    injected.incrementAndGet();
    if (fault == Fault.LOST_AFTER_COMMIT) real.run();
    throw new SQLException("connection lost (injected: " + fault + ")", "08006");
  }

  private interface Handler {
    Object handle(Method m, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T target, Handler h) {
    InvocationHandler ih =
        (p, m, args) -> {
          if (m.getDeclaringClass() == Object.class) {
            return switch (m.getName()) {
              case "equals" -> p == args[0];
              case "hashCode" -> System.identityHashCode(p);
              default -> "faulty " + target;
            };
          }
          return h.handle(m, args);
        };
    return type.cast(
        Proxy.newProxyInstance(FaultyDataSource.class.getClassLoader(), new Class<?>[] {type}, ih));
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
