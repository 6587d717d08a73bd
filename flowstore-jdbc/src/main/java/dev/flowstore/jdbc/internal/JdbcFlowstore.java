package dev.flowstore.jdbc.internal;

import dev.flowstore.ApiKeys;
import dev.flowstore.AppendResult;
import dev.flowstore.AuditLog;
import dev.flowstore.Checkpoints;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flows;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.Job;
import dev.flowstore.MetricCounter;
import dev.flowstore.Nodes;
import dev.flowstore.Outbox;
import dev.flowstore.ProcessedMessages;
import dev.flowstore.Queue;
import dev.flowstore.ResumeHandles;
import dev.flowstore.Sessions;
import dev.flowstore.Steps;
import dev.flowstore.Tasks;
import dev.flowstore.TenantId;
import dev.flowstore.Transaction;
import dev.flowstore.TransactionWork;
import dev.flowstore.internal.Providers;
import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueHost;
import dev.flowstore.spi.QueueProvider;
import dev.flowstore.spi.SessionCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A {@link Flowstore} over JDBC. Every tenant transaction: take a connection, begin, scope it to
 * the tenant through the {@link Dialect}, run the work, commit (or roll back on any exception).
 */
public final class JdbcFlowstore implements Flowstore {
  private static final ThreadLocal<Boolean> IN_WRITE = new ThreadLocal<>();
  // why: work that must wait for the commit of the write transaction open on this thread (queue
  // wake-ups)
  private static final ThreadLocal<List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();
  // why: the subset of those that is harmless if nothing committed (cache invalidations, wake-ups),
  // so it also runs when the commit's outcome is unknown: a write that did commit must not leave a
  // stale cache entry or a sleeping worker behind
  private static final ThreadLocal<List<Runnable>> IF_MAYBE_COMMITTED = new ThreadLocal<>();

  private final FlowstoreConfig config;
  private final Dialect dialect;
  private final DataSource writer;
  private final DataSource reader;
  private final Clock clock;
  private final Runnable migrate;
  private final AutoCloseable onClose;
  private final String description;
  private final JdbcApiKeys apiKeys;
  // why: registerTenant's hot path is a set lookup; bounded (a miss costs one query), and only
  // tenants seen in a committed transaction go in
  private static final int KNOWN_TENANTS_MAX = 1024;
  private final java.util.Set<TenantId> knownTenants =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final QueueWakeups wakeups = new QueueWakeups();
  // why: appends and acks that run in their own transaction are committed in groups (one fsync
  // for many callers); see GroupCommit
  private final GroupCommit<JdbcEventStore.AppendRequest, AppendResult> appends =
      new GroupCommit<>(
          256,
          (tenant, batch, recheck) ->
              writeScopedByWork(
                  tenant, c -> JdbcEventStore.appendGroup(c, joined(tenant, c), batch, recheck)));
  private final GroupCommit<JdbcQueue.AckRequest, Job> acks =
      new GroupCommit<>(
          256, (tenant, batch, recheck) -> JdbcQueue.ackGroup(this, tenant, batch, recheck));
  // why: FLOWSTORE_QUEUE_BACKEND names another backend (redis): queue calls go there, DLQ items and
  // audit entries still come here (null: the SQL queue)
  private final QueueBackend queueBackend;
  // why: FLOWSTORE_CACHE names a cache (redis): it decorates sessions(tenant) and is told of every
  // committed session write (SessionCache.NONE: no cache)
  private final SessionCache sessionCache;

  public JdbcFlowstore(
      FlowstoreConfig config,
      Dialect dialect,
      DataSource writer,
      DataSource reader,
      Clock clock,
      Runnable migrate,
      AutoCloseable onClose,
      String description) {
    this.config = config;
    this.dialect = dialect;
    this.writer = writer;
    this.reader = reader;
    this.clock = clock;
    this.migrate = migrate;
    this.onClose = onClose;
    this.description = description;
    this.apiKeys = new JdbcApiKeys(this);
    this.queueBackend =
        config.queueBackend().equals(config.storeBackend())
            ? null
            : queueProvider(config.queueBackend())
                .open(new QueueHost(config, clock, this, new JdbcDeadLetterStore(this)));
    try {
      this.sessionCache =
          config.cache().equals("none")
              ? SessionCache.NONE
              : Providers.find(
                      CacheProvider.class, CacheProvider::name, "FLOWSTORE_CACHE", config.cache())
                  .open(new CacheHost(config, clock));
    } catch (RuntimeException e) {
      if (queueBackend != null) queueBackend.close();
      throw e;
    }
  }

  private static QueueProvider queueProvider(String name) {
    return Providers.find(
        QueueProvider.class, QueueProvider::name, "FLOWSTORE_QUEUE_BACKEND", name);
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Now, to the microsecond: the precision both databases keep. */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  @Override
  public EventStore events(TenantId tenant) {
    return new JdbcEventStore(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Flows flows(TenantId tenant) {
    return new JdbcFlows(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Sessions sessions(TenantId tenant) {
    JdbcSessions truth =
        new JdbcSessions(new AutonomousScope(this, Objects.requireNonNull(tenant)));
    return sessionCache.sessions(tenant, truth, truth::version);
  }

  /**
   * Tells the session cache, once the write transaction open on this thread has committed, that the
   * session was written (JdbcSessions calls it with every insert and update).
   */
  void sessionWritten(TenantId tenant, UUID sessionId) {
    if (sessionCache != SessionCache.NONE)
      afterCommitOrUnknown(() -> sessionCache.invalidate(tenant, sessionId));
  }

  @Override
  public Steps steps(TenantId tenant) {
    return new JdbcSteps(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Checkpoints checkpoints(TenantId tenant) {
    return new JdbcCheckpoints(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Nodes nodes(TenantId tenant) {
    return new JdbcNodes(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Tasks tasks(TenantId tenant) {
    return new JdbcTasks(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public ResumeHandles resumeHandles(TenantId tenant) {
    return new JdbcResumeHandles(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Commands commands(TenantId tenant) {
    return new JdbcCommands(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public AuditLog audit(TenantId tenant) {
    return new JdbcAuditLog(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Queue queue(TenantId tenant) {
    if (queueBackend != null) return queueBackend.queue(Objects.requireNonNull(tenant));
    return new JdbcQueue(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public Outbox outbox(TenantId tenant) {
    return new JdbcOutbox(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public ProcessedMessages processed(TenantId tenant) {
    return new JdbcProcessedMessages(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public IdempotencyKeys idempotencyKeys(TenantId tenant) {
    return new JdbcIdempotencyKeys(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  /**
   * The wake-up key of the outbox (tenant ids never contain '*', so it cannot clash with a
   * queue's).
   */
  static final String OUTBOX_KEY = "*outbox";

  @Override
  public long outboxSignal() {
    wakeups.ensureListening(() -> dialect.listenForWork(config, wakeups::signal));
    return wakeups.generation(OUTBOX_KEY);
  }

  @Override
  public boolean awaitOutboxSignal(long seen, java.time.Duration timeout)
      throws InterruptedException {
    wakeups.ensureListening(() -> dialect.listenForWork(config, wakeups::signal));
    return wakeups.await(OUTBOX_KEY, seen, timeout);
  }

  @Override
  public List<TenantId> outboxTenants() {
    return system(
        c ->
            Columns.list(
                c,
                "SELECT tenant_id FROM tenants WHERE uses_outbox ORDER BY tenant_id",
                ps -> {},
                rs -> TenantId.of(rs.getString(1))));
  }

  @Override
  public List<TenantId> tenants() {
    return system(
        c -> {
          List<TenantId> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT tenant_id FROM tenants ORDER BY tenant_id")) {
            while (rs.next()) out.add(TenantId.of(rs.getString(1)));
          }
          return out;
        });
  }

  /**
   * Puts a tenant in the {@code tenants} table that workers sweep (TTL, leases, DLQ recovery, key
   * expiry), inside the caller's transaction. Tenants are remembered once that transaction has
   * committed (a row seen inside a transaction that rolls back may be its own, gone with it), so
   * the hot path costs a set lookup.
   */
  void registerTenant(Connection c, TenantId tenant) throws SQLException {
    if (knownTenants.contains(tenant)) return;
    boolean present =
        Columns.one(
                c,
                "SELECT 1 FROM tenants WHERE tenant_id = ?",
                ps -> ps.setString(1, tenant.value()),
                rs -> true)
            .isPresent();
    if (!present)
      Columns.update(
          c,
          "INSERT INTO tenants (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING",
          ps -> ps.setString(1, tenant.value()));
    afterCommit(() -> rememberTenant(tenant));
  }

  private void rememberTenant(TenantId tenant) {
    if (!knownTenants.add(tenant) || knownTenants.size() <= KNOWN_TENANTS_MAX) return;
    // over the cap: forget a quarter, any of them (a forgotten tenant costs one query next time)
    java.util.Iterator<TenantId> it = knownTenants.iterator();
    for (int i = 0; i < KNOWN_TENANTS_MAX / 4 && it.hasNext(); ) {
      if (!it.next().equals(tenant)) {
        it.remove();
        i++;
      }
    }
  }

  /** How many tenants registerTenant remembers (tests: bounded). */
  int knownTenantCount() {
    return knownTenants.size();
  }

  /**
   * A scope on a connection that is already inside this tenant's transaction (stores composing
   * stores).
   */
  Scope joined(TenantId tenant, Connection c) {
    return new BoundScope(this, tenant, c);
  }

  @Override
  public <T> T inTransaction(TenantId tenant, TransactionWork<T> work) {
    Objects.requireNonNull(tenant, "tenant");
    return write(
        tenant,
        c -> {
          BoundScope scope = new BoundScope(this, tenant, c);
          try {
            return work.run(new JdbcTransaction(scope));
          } catch (SQLException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new FlowstoreException(ErrorCode.INTERNAL, "transaction work failed: " + e, e);
          } finally {
            scope.close();
          }
        });
  }

  <T> T write(TenantId tenant, SqlWork<T> work) {
    return write(tenant, work, false);
  }

  /**
   * A write transaction whose work sends the tenant scope itself, as part of its first statement
   * ({@link Dialect#scopedStatement}), saving the scope's own round trip. Where the dialect has no
   * scoped statements this is {@link #write(TenantId, SqlWork)}.
   */
  <T> T writeScopedByWork(TenantId tenant, SqlWork<T> work) {
    return write(tenant, work, scopesStatements());
  }

  /**
   * Whether the dialect sends the tenant scope with a statement ({@link Dialect#scopedStatement}).
   */
  boolean scopesStatements() {
    return dialect.scopeParams() > 0;
  }

  private <T> T write(TenantId tenant, SqlWork<T> work, boolean scopedByWork) {
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

  /** Binds a statement's own parameters, the first of which is at {@code first}. */
  interface StatementBinder {
    void bind(PreparedStatement ps, int first) throws SQLException;
  }

  /**
   * Runs one statement as a write transaction of its own and maps the rows it returns. Where the
   * dialect can ({@link Dialect#scopedStatement}: PostgreSQL), the tenant scope and the statement
   * go to the database in one round trip and commit together, instead of scope, statement and
   * COMMIT in three.
   */
  <T> List<T> writeStatement(
      TenantId tenant, String sql, StatementBinder binder, Columns.Mapper<T> mapper) {
    if (!scopesStatements()) return write(tenant, c -> statement(c, null, sql, binder, mapper));
    if (IN_WRITE.get() != null) throw nestedWrite();
    return scoped(writer, "write", tenant, sql, binder, mapper);
  }

  /** {@link #writeStatement} for a statement that only reads. */
  <T> List<T> readStatement(
      TenantId tenant, String sql, StatementBinder binder, Columns.Mapper<T> mapper) {
    if (!scopesStatements()) return read(tenant, c -> statement(c, null, sql, binder, mapper));
    return scoped(reader, "read", tenant, sql, binder, mapper);
  }

  private <T> List<T> scoped(
      DataSource ds,
      String what,
      TenantId tenant,
      String sql,
      StatementBinder binder,
      Columns.Mapper<T> mapper) {
    Connection c;
    try {
      c = ds.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.translate(what + " for tenant " + tenant, e);
    }
    List<T> out;
    try {
      out = statement(c, tenant, sql, binder, mapper);
    } catch (SQLException e) {
      closeQuietly(c, e);
      // why: the statement commits on its own; a connection lost while it ran may have lost only
      // the answer
      throw !"write".equals(what)
          ? SqlErrors.translate(what + " for tenant " + tenant, e)
          : SqlErrors.autocommitFailed(what + " for tenant " + tenant, e);
    } catch (RuntimeException | Error e) {
      closeQuietly(c, e);
      throw e;
    }
    closeQuietly(c, null);
    return out;
  }

  /** Runs {@code sql}, with the tenant scope in front when {@code scopeTo} is not null. */
  private <T> List<T> statement(
      Connection c, TenantId scopeTo, String sql, StatementBinder binder, Columns.Mapper<T> mapper)
      throws SQLException {
    if (scopeTo == null) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps, 1);
        return rows(ps, ps.execute(), mapper);
      }
    }
    try (PreparedStatement ps = prepareScoped(c, dialect, scopeTo, sql)) {
      binder.bind(ps, dialect.scopeParams() + 1);
      return rows(ps, executeScoped(ps), mapper);
    }
  }

  /**
   * Prepares {@code sql} behind the tenant scope ({@link Dialect#scopedStatement}), the scope's
   * parameters bound; the statement's own parameters start at {@code scopeParams() + 1}.
   */
  static PreparedStatement prepareScoped(Connection c, Dialect d, TenantId tenant, String sql)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(d.scopedStatement(sql));
    try {
      d.bindScope(ps, tenant);
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

  private static FlowstoreException nestedWrite() {
    return new FlowstoreException(
        ErrorCode.INTERNAL,
        "a transaction is already open on this thread: use the Transaction passed to inTransaction instead of opening another");
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

  /**
   * Runs {@code r} once the write transaction open on this thread has committed (never if it rolls
   * back), or now when none is open.
   */
  void afterCommit(Runnable r) {
    List<Runnable> pending = AFTER_COMMIT.get();
    if (pending == null) r.run();
    else pending.add(r);
  }

  /**
   * {@link #afterCommit} for a step that is harmless when nothing committed (an invalidation, a
   * wake-up): it also runs when the commit's outcome is unknown ({@code OUTCOME_UNKNOWN}).
   */
  void afterCommitOrUnknown(Runnable r) {
    afterCommit(r);
    List<Runnable> maybe = IF_MAYBE_COMMITTED.get();
    if (maybe != null) maybe.add(r);
  }

  GroupCommit<JdbcEventStore.AppendRequest, AppendResult> appends() {
    return appends;
  }

  GroupCommit<JdbcQueue.AckRequest, Job> acks() {
    return acks;
  }

  // why: a lease first ends its queue's expired leases (one more query); doing that at most once
  // a second per queue and process keeps leases one statement, and the sweeper reaps every queue
  private final java.util.Map<String, Instant> lastReap =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Whether a lease of this queue should end its expired leases first (none for a second). */
  boolean reapDue(String queueKey, Instant now) {
    Instant last = lastReap.get(queueKey);
    return last == null || !now.isBefore(last.plusSeconds(1)) || now.isBefore(last);
  }

  // why: the map would otherwise keep every queue of every tenant ever leased from; an entry a
  // second old means the same as none, so those go once the map is large (at most once per
  // doubling, so a map of many fresh entries is not scanned on every lease)
  private static final int REAP_KEYS_MIN = 1024;
  private volatile int reapPruneAt = REAP_KEYS_MIN;

  /** Records that a lease of this queue ended its expired leases at {@code now}. */
  void reaped(String queueKey, Instant now) {
    lastReap.merge(queueKey, now, (a, b) -> a.isAfter(b) ? a : b);
    if (lastReap.size() > reapPruneAt) {
      lastReap.values().removeIf(t -> !now.isBefore(t.plusSeconds(1)) || now.isBefore(t));
      reapPruneAt = Math.max(REAP_KEYS_MIN, 2 * lastReap.size());
    }
  }

  /** How many queues the reap throttle remembers (tests: bounded). */
  int reapThrottleSize() {
    return lastReap.size();
  }

  QueueWakeups wakeups() {
    return wakeups;
  }

  <T> T read(TenantId tenant, SqlWork<T> work) {
    return run(reader, tenant, work, "read", false);
  }

  /** Runs SQL outside any tenant (API keys, probes): no role switch, no tenant setting. */
  public <T> T system(SqlWork<T> work) {
    try (Connection c = writer.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw SqlErrors.translate("system query", e);
    }
  }

  /**
   * One transaction. A failure before {@code COMMIT} rolls back and is reported as it is; a failed
   * {@code COMMIT} is {@code OUTCOME_UNKNOWN} ({@link SqlErrors#commitFailed}); nothing after a
   * successful commit (restoring autocommit, returning the connection) can turn it into an error.
   */
  private <T> T run(
      DataSource ds, TenantId tenant, SqlWork<T> work, String what, boolean scopedByWork) {
    String doing = what + " transaction for tenant " + tenant;
    Connection c;
    try {
      c = ds.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.translate(doing, e);
    }
    T result;
    try {
      c.setAutoCommit(false);
      if (!scopedByWork) dialect.beginTenantTransaction(c, tenant);
      result = work.run(c);
    } catch (Throwable t) {
      rollbackQuietly(c, t);
      endQuietly(c, t);
      if (t instanceof SQLException e) throw SqlErrors.translate(doing, e);
      throw asUnchecked(t);
    }
    try {
      c.commit();
    } catch (SQLException e) {
      FlowstoreException failed = SqlErrors.commitFailed(doing, e);
      rollbackQuietly(c, failed);
      endQuietly(c, failed);
      throw failed;
    } catch (RuntimeException | Error e) {
      endQuietly(c, e);
      throw e;
    }
    endQuietly(c, null);
    return result;
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

  /**
   * A store like this one whose write connections come from {@code wrap(writer)}, sharing
   * everything else (tests: connections that fail on purpose). Closing it closes nothing.
   */
  JdbcFlowstore withWriter(java.util.function.UnaryOperator<DataSource> wrap) {
    return new JdbcFlowstore(
        config, dialect, wrap.apply(writer), reader, clock, migrate, () -> {}, description);
  }

  @Override
  public ApiKeys apiKeys() {
    return apiKeys;
  }

  @Override
  public void migrate() {
    migrate.run();
  }

  @Override
  public void checkReady() {
    system(
        c -> {
          try (Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
          }
          return null;
        });
    if (queueBackend != null) queueBackend.checkReady();
  }

  @Override
  public String describe() {
    String d =
        queueBackend == null ? description : description + ", queue " + queueBackend.describe();
    return sessionCache == SessionCache.NONE ? d : d + ", cache " + sessionCache.describe();
  }

  @Override
  public List<MetricCounter> metrics() {
    List<MetricCounter> all = new ArrayList<>();
    if (queueBackend != null) all.addAll(queueBackend.metrics());
    all.addAll(sessionCache.metrics());
    return List.copyOf(all);
  }

  @Override
  public FlowstoreConfig config() {
    return config;
  }

  @Override
  public void close() {
    wakeups.close();
    sessionCache.close();
    if (queueBackend != null) queueBackend.close();
    try {
      onClose.close();
    } catch (Exception e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, "closing " + description + ": " + e.getMessage(), e);
    }
  }

  /** Each call is its own transaction. */
  private record AutonomousScope(JdbcFlowstore flowstore, TenantId tenant) implements Scope {
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

  /** Every call joins the caller's transaction; unusable once the callback has returned. */
  private static final class BoundScope implements Scope {
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
        throw SqlErrors.translate("statement in transaction for tenant " + tenant, e);
      }
    }

    void close() {
      closed = true;
    }
  }

  private record JdbcTransaction(Scope scope) implements Transaction {
    @Override
    public TenantId tenant() {
      return scope.tenant();
    }

    @Override
    public EventStore events() {
      return new JdbcEventStore(scope);
    }

    @Override
    public Flows flows() {
      return new JdbcFlows(scope);
    }

    @Override
    public Sessions sessions() {
      return new JdbcSessions(scope);
    }

    @Override
    public Steps steps() {
      return new JdbcSteps(scope);
    }

    @Override
    public Checkpoints checkpoints() {
      return new JdbcCheckpoints(scope);
    }

    @Override
    public Nodes nodes() {
      return new JdbcNodes(scope);
    }

    @Override
    public Tasks tasks() {
      return new JdbcTasks(scope);
    }

    @Override
    public ResumeHandles resumeHandles() {
      return new JdbcResumeHandles(scope);
    }

    @Override
    public Commands commands() {
      return new JdbcCommands(scope);
    }

    @Override
    public AuditLog audit() {
      return new JdbcAuditLog(scope);
    }

    @Override
    public Queue queue() {
      QueueBackend external = scope.flowstore().queueBackend;
      if (external != null)
        return external.inTransaction(scope.tenant(), scope.flowstore()::afterCommit);
      return new JdbcQueue(scope);
    }

    @Override
    public Outbox outbox() {
      return new JdbcOutbox(scope);
    }

    @Override
    public ProcessedMessages processed() {
      return new JdbcProcessedMessages(scope);
    }
  }
}
