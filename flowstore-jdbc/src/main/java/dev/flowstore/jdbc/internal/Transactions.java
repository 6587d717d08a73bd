package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The transaction runner of the SQL engine: every tenant transaction (take a connection, begin,
 * scope it to the tenant through the {@link Dialect}, run the work, commit or roll back), the
 * one-statement transactions that send the tenant scope with their statement, and the hooks that
 * wait for the commit of the write transaction open on the thread.
 *
 * <p>Why one class: what a failure means depends on where it happened — before {@code COMMIT}
 * (nothing stored), during it ({@code OUTCOME_UNKNOWN}, and the harmless hooks still run), after it
 * (nothing can turn a commit into an error) — and the scoped statements are transactions of their
 * own with the same rules; docs/architecture.md "When the group's transaction fails".
 */
final class Transactions {
  private static final ThreadLocal<Boolean> IN_WRITE = new ThreadLocal<>();
  // why: work that must wait for the commit of the write transaction open on this thread (queue
  // wake-ups)
  private static final ThreadLocal<List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();
  // why: the subset of those that is harmless if nothing committed (cache invalidations, wake-ups),
  // so it also runs when the commit's outcome is unknown: a write that did commit must not leave a
  // stale cache entry or a sleeping worker behind
  private static final ThreadLocal<List<Runnable>> IF_MAYBE_COMMITTED = new ThreadLocal<>();

  private final Dialect dialect;
  private final DataSource writer;
  private final DataSource reader;

  Transactions(Dialect dialect, DataSource writer, DataSource reader) {
    this.dialect = dialect;
    this.writer = writer;
    this.reader = reader;
  }

  <T> T write(TenantId tenant, SqlWork<T> work) {
    return write(tenant, ending(work), false);
  }

  /**
   * A write transaction whose work sends the tenant scope itself, as part of its first statement
   * ({@link Dialect#scopedStatement}), saving the scope's own round trip. Where the dialect has no
   * scoped statements this is {@link #write(TenantId, SqlWork)}.
   */
  <T> T writeScopedByWork(TenantId tenant, SqlWork<T> work) {
    return write(tenant, ending(work), scopesStatements());
  }

  /**
   * What the work of {@link #writeEndingWith} hands back: its answer, and the statements that end
   * its transaction (statements returning no rows: inserts, updates), for the engine to send with
   * the {@code COMMIT}.
   */
  record Ending<T>(T result, List<Sql> last) {}

  /** The work of {@link #writeEndingWith}. */
  interface EndingWork<T> {
    Ending<T> run(Connection c) throws SQLException;
  }

  /**
   * {@link #writeScopedByWork} whose work leaves its last statements to the engine ({@link
   * Ending}): where the dialect scopes statements (PostgreSQL), they travel with the {@code COMMIT}
   * in one exchange, saving the commit's own round trip; otherwise they run one after another and
   * the transaction commits as any other. As for {@link #writeScopedByWork}, the work scopes the
   * transaction itself ({@link #openWith}) before it returns: the last statements run in that
   * transaction, behind that scope. why the engine sends them: nothing may run on the connection
   * after its {@code COMMIT} (it would run outside the transaction and its tenant scope), and that
   * holds by construction when the work has returned before they are sent.
   */
  <T> T writeEndingWith(TenantId tenant, EndingWork<T> work) {
    return write(tenant, work, scopesStatements());
  }

  private static <T> EndingWork<T> ending(SqlWork<T> work) {
    return c -> new Ending<>(work.run(c), List.of());
  }

  <T> T read(TenantId tenant, SqlWork<T> work) {
    return run(reader, tenant, ending(work), "read", false);
  }

  /** Runs SQL outside any tenant (API keys, probes): no role switch, no tenant setting. */
  <T> T system(SqlWork<T> work) {
    try (Connection c = writer.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw SqlErrors.translate(dialect, "system query", e);
    }
  }

  /**
   * Whether the dialect sends the tenant scope with a statement ({@link Dialect#scopedStatement}).
   */
  boolean scopesStatements() {
    return dialect.scopeParams() > 0;
  }

  private <T> T write(TenantId tenant, EndingWork<T> work, boolean scopedByWork) {
    if (IN_WRITE.get() != null) throw nestedWrite();
    IN_WRITE.set(Boolean.TRUE);
    List<Runnable> afterCommit = new ArrayList<>();
    List<Runnable> ifMaybeCommitted = new ArrayList<>();
    AFTER_COMMIT.set(afterCommit);
    IF_MAYBE_COMMITTED.set(ifMaybeCommitted);
    T result;
    try {
      result = run(writer, tenant, work, "write", scopedByWork);
    } catch (FlowstoreException e) {
      if (e.code() == ErrorCode.OUTCOME_UNKNOWN) {
        try {
          runAll(ifMaybeCommitted);
        } catch (Throwable hook) {
          e.addSuppressed(hook);
        }
      }
      throw e;
    } finally {
      IN_WRITE.remove();
      AFTER_COMMIT.remove();
      IF_MAYBE_COMMITTED.remove();
    }
    runAll(afterCommit);
    return result;
  }

  /**
   * One transaction. A failure before {@code COMMIT} rolls back and is reported as it is; a failed
   * {@code COMMIT} is {@code OUTCOME_UNKNOWN} ({@link SqlErrors#commitFailed}); nothing after a
   * successful commit (restoring autocommit, returning the connection) can turn it into an error.
   * The work's last statements ({@link Ending}) go with the {@code COMMIT} where the dialect scopes
   * statements ({@link #sendWithCommit}); a failure of that exchange is read by {@link
   * SqlErrors#commitExchangeFailed}.
   */
  private <T> T run(
      DataSource ds, TenantId tenant, EndingWork<T> work, String what, boolean scopedByWork) {
    return StoreSpans.traced(
        what, tenant, dialect, () -> runUntraced(ds, tenant, work, what, scopedByWork));
  }

  private <T> T runUntraced(
      DataSource ds, TenantId tenant, EndingWork<T> work, String what, boolean scopedByWork) {
    String doing = what + " transaction for tenant " + tenant;
    Connection c;
    try {
      c = ds.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.translate(dialect, doing, e);
    }
    Ending<T> ending;
    boolean together;
    try {
      c.setAutoCommit(false);
      if (!scopedByWork) dialect.beginTenantTransaction(c, tenant);
      ending = work.run(c);
      together = !ending.last().isEmpty() && scopesStatements();
      if (!together) sendAll(c, ending.last());
    } catch (Throwable t) {
      rollbackQuietly(c, t);
      endQuietly(c, t);
      if (t instanceof SQLException e) throw SqlErrors.translate(dialect, doing, e);
      throw asUnchecked(t);
    }
    try {
      if (together) sendWithCommit(c, ending.last());
      else c.commit();
    } catch (SQLException e) {
      FlowstoreException failed =
          together
              ? SqlErrors.commitExchangeFailed(dialect, doing, e)
              : SqlErrors.commitFailed(dialect, doing, e);
      rollbackQuietly(c, failed);
      endQuietly(c, failed);
      throw failed;
    } catch (RuntimeException | Error e) {
      // why the rollback: the transaction may still be open (thrown before the exchange went), and
      // restoring autocommit would commit it
      if (together) rollbackQuietly(c, e);
      endQuietly(c, e);
      throw e;
    }
    endQuietly(c, null);
    return ending.result();
  }

  /**
   * Runs one statement as a write transaction of its own and maps the rows it returns. Where the
   * dialect can ({@link Dialect#scopedStatement}: PostgreSQL), the tenant scope and the statement
   * go to the database in one round trip and commit together, instead of scope, statement and
   * COMMIT in three.
   */
  <T> List<T> writeStatement(TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    if (!scopesStatements()) return write(tenant, c -> statement(c, null, sql, mapper));
    if (IN_WRITE.get() != null) throw nestedWrite();
    return scoped(writer, "write", tenant, sql, mapper);
  }

  /**
   * {@link #writeStatement} for a statement that only reads. Where the dialect has no scoped
   * statements (SQLite: every statement filters on tenant_id itself), the statement runs alone in
   * autocommit, which is a read transaction of its own (one snapshot) without the BEGIN and COMMIT
   * around it.
   */
  <T> List<T> readStatement(TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    return scoped(reader, "read", tenant, sql, mapper);
  }

  private <T> List<T> scoped(
      DataSource ds, String what, TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    return StoreSpans.traced(
        what, tenant, dialect, () -> scopedUntraced(ds, what, tenant, sql, mapper));
  }

  private <T> List<T> scopedUntraced(
      DataSource ds, String what, TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    Connection c;
    try {
      c = ds.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.translate(dialect, what + " for tenant " + tenant, e);
    }
    List<T> out;
    try {
      out = statement(c, scopesStatements() ? tenant : null, sql, mapper);
    } catch (SQLException e) {
      closeQuietly(c, e);
      // why: the statement commits on its own; a connection lost while it ran may have lost only
      // the answer
      throw !"write".equals(what)
          ? SqlErrors.translate(dialect, what + " for tenant " + tenant, e)
          : SqlErrors.autocommitFailed(dialect, what + " for tenant " + tenant, e);
    } catch (RuntimeException | Error e) {
      closeQuietly(c, e);
      throw e;
    }
    closeQuietly(c, null);
    return out;
  }

  /** Runs {@code sql}, with the tenant scope in front when {@code scopeTo} is not null. */
  private <T> List<T> statement(Connection c, TenantId scopeTo, Sql sql, Columns.Mapper<T> mapper)
      throws SQLException {
    if (scopeTo == null) {
      try (PreparedStatement ps = c.prepareStatement(sql.text())) {
        sql.bind(ps);
        return rows(ps, ps.execute(), mapper);
      }
    }
    try (PreparedStatement ps = prepareScoped(c, dialect, scopeTo, sql)) {
      return rows(ps, executeScoped(ps), mapper);
    }
  }

  /** Reads the rows of one statement of {@link #openWith}; {@code statement} is its index. */
  interface RowsReader {
    void read(int statement, ResultSet rs) throws SQLException;
  }

  /**
   * Runs the statements that open a write transaction begun by {@link #writeScopedByWork}, each
   * returning rows, and hands each one's rows to {@code reader} in order: where the dialect scopes
   * statements, behind the tenant scope in one round trip (PostgreSQL); otherwise one after another
   * (the transaction was scoped when it began). why: the store says what it needs and the engine
   * decides how it travels, so no store asks which database it runs on.
   */
  void openWith(Connection c, TenantId tenant, List<Sql> statements, RowsReader reader)
      throws SQLException {
    if (!scopesStatements()) {
      eachStatement(c, statements, reader);
      return;
    }
    Sql joined = new Sql(dialect, "");
    for (int i = 0; i < statements.size(); i++) {
      if (i > 0) joined.append("; ");
      joined.append(statements.get(i));
    }
    try (PreparedStatement ps = prepareScoped(c, dialect, tenant, joined)) {
      executeScoped(ps);
      for (int i = 0; i < statements.size(); i++) {
        if (i > 0) ps.getMoreResults();
        try (ResultSet rs = ps.getResultSet()) {
          reader.read(i, rs);
        }
      }
    }
  }

  /**
   * Runs read statements as one read transaction and hands each one's rows to {@code reader} in
   * order: where the dialect scopes statements, behind the tenant scope in one round trip
   * (PostgreSQL runs the statements of one exchange as one implicit transaction); otherwise in a
   * read transaction, one after another.
   */
  void readStatements(TenantId tenant, List<Sql> statements, RowsReader reader) {
    if (!scopesStatements()) {
      read(
          tenant,
          c -> {
            eachStatement(c, statements, reader);
            return null;
          });
      return;
    }
    StoreSpans.traced(
        "read",
        tenant,
        dialect,
        () -> {
          Connection c;
          try {
            c = reader().getConnection();
          } catch (SQLException e) {
            throw SqlErrors.translate(dialect, "read for tenant " + tenant, e);
          }
          try {
            openWith(c, tenant, statements, reader);
          } catch (SQLException e) {
            closeQuietly(c, e);
            throw SqlErrors.translate(dialect, "read for tenant " + tenant, e);
          } catch (RuntimeException | Error e) {
            closeQuietly(c, e);
            throw e;
          }
          closeQuietly(c, null);
          return null;
        });
  }

  private DataSource reader() {
    return reader;
  }

  /** Runs {@code statements} on {@code c} one after another, each one's rows to {@code reader}. */
  static void eachStatement(Connection c, List<Sql> statements, RowsReader reader)
      throws SQLException {
    for (int i = 0; i < statements.size(); i++) {
      Sql sql = statements.get(i);
      try (PreparedStatement ps = c.prepareStatement(sql.text())) {
        sql.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          reader.read(i, rs);
        }
      }
    }
  }

  /**
   * Runs statements that return no rows (inserts, updates) in the transaction open on {@code c}:
   * where the dialect scopes statements (PostgreSQL), all in one round trip (the driver sends the
   * statements of one string together); otherwise one after another. None, nothing is sent.
   */
  void sendAll(Connection c, List<Sql> statements) throws SQLException {
    // why: every transaction passes its (mostly empty) last statements here; an empty string would
    // still be an exchange of its own
    if (statements.isEmpty()) return;
    if (!scopesStatements() || statements.size() == 1) {
      for (Sql sql : statements) {
        try (PreparedStatement ps = c.prepareStatement(sql.text())) {
          sql.bind(ps);
          ps.executeUpdate();
        }
      }
      return;
    }
    Sql joined = new Sql(dialect, "");
    for (int i = 0; i < statements.size(); i++) {
      if (i > 0) joined.append("; ");
      joined.append(statements.get(i));
    }
    try (PreparedStatement ps = c.prepareStatement(joined.text())) {
      joined.bind(ps);
      ps.execute();
      // why: a failure of a later statement is reported as its result is reached
      while (ps.getMoreResults() || ps.getUpdateCount() != -1) {}
    }
  }

  /**
   * Sends a transaction's last statements and its {@code COMMIT} in one exchange (one string: the
   * driver sends its statements together, up to one Sync). The transaction is open (its work ran on
   * {@code c}), so the statements run in it, not in an implicit transaction of their own. A
   * statement's error makes the server skip the rest of the exchange, the {@code COMMIT} included,
   * and leaves the transaction failed (the caller rolls it back); a {@code COMMIT} that fails has
   * rolled back. Once it succeeded no transaction is open: the driver's {@code commit()}, and the
   * one restoring autocommit makes, see the connection idle and send nothing.
   */
  private void sendWithCommit(Connection c, List<Sql> statements) throws SQLException {
    Sql joined = new Sql(dialect, "");
    for (Sql sql : statements) joined.append(sql).append("; ");
    joined.append("COMMIT");
    try (PreparedStatement ps = c.prepareStatement(joined.text())) {
      joined.bind(ps);
      ps.execute();
      // why: a failure of a later statement is reported as its result is reached
      while (ps.getMoreResults() || ps.getUpdateCount() != -1) {}
    }
  }

  /**
   * Prepares {@code sql} behind the tenant scope ({@link Dialect#scopedStatement}), the scope's
   * parameters and then {@code sql}'s bound.
   */
  static PreparedStatement prepareScoped(Connection c, Dialect d, TenantId tenant, Sql sql)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(d.scopedStatement(sql.text()));
    try {
      d.bindScope(ps, tenant);
      sql.bind(ps, d.scopeParams() + 1);
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /**
   * Executes a {@link #prepareScoped} statement past the scope's own row: whether the statement's
   * first result is rows (then {@code getResultSet()} has them).
   */
  static boolean executeScoped(PreparedStatement ps) throws SQLException {
    ps.execute();
    return ps.getMoreResults();
  }

  private static <T> List<T> rows(PreparedStatement ps, boolean hasRows, Columns.Mapper<T> mapper)
      throws SQLException {
    List<T> out = new ArrayList<>();
    if (!hasRows) return out;
    try (ResultSet rs = ps.getResultSet()) {
      while (rs.next()) out.add(mapper.map(rs));
    }
    return out;
  }

  /**
   * Runs {@code r} once the write transaction open on this thread has committed (never if it rolls
   * back), or now when none is open.
   */
  static void afterCommit(Runnable r) {
    List<Runnable> pending = AFTER_COMMIT.get();
    if (pending == null) r.run();
    else pending.add(r);
  }

  /**
   * {@link #afterCommit} for a step that is harmless when nothing committed (an invalidation, a
   * wake-up): it also runs when the commit's outcome is unknown ({@code OUTCOME_UNKNOWN}).
   */
  static void afterCommitOrUnknown(Runnable r) {
    afterCommit(r);
    List<Runnable> maybe = IF_MAYBE_COMMITTED.get();
    if (maybe != null) maybe.add(r);
  }

  // why: one failing after-commit step (a Redis enqueue) must not skip the others (cache
  // invalidations), not even when it throws an Error; the first failure is rethrown once all ran
  private static void runAll(List<Runnable> steps) {
    Throwable first = null;
    for (Runnable r : steps) {
      try {
        r.run();
      } catch (Throwable e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first instanceof Error e) throw e;
    if (first instanceof RuntimeException e) throw e;
    if (first != null)
      throw new FlowstoreException(ErrorCode.INTERNAL, "after-commit step failed", first);
  }

  private static FlowstoreException nestedWrite() {
    return new FlowstoreException(
        ErrorCode.INTERNAL,
        "a transaction is already open on this thread: use the Transaction passed to inTransaction instead of opening another");
  }

  private static RuntimeException asUnchecked(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new FlowstoreException(ErrorCode.INTERNAL, "transaction work failed: " + t, t);
  }

  /** Restores autocommit and returns the connection; a failure is only noted on {@code cause}. */
  private static void endQuietly(Connection c, Throwable cause) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      if (cause != null) cause.addSuppressed(e);
    }
    closeQuietly(c, cause);
  }

  private static void closeQuietly(Connection c, Throwable cause) {
    try {
      c.close();
    } catch (SQLException e) {
      if (cause != null) cause.addSuppressed(e);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
