package dev.flowstore.jdbc.internal;

import dev.flowstore.ApiKeys;
import dev.flowstore.AppendResult;
import dev.flowstore.AuditLog;
import dev.flowstore.Checkpoints;
import dev.flowstore.Collections;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flows;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IdempotencyKeys;
import dev.flowstore.Job;
import dev.flowstore.Maintenance;
import dev.flowstore.MetricCounter;
import dev.flowstore.MetricGauge;
import dev.flowstore.MetricHistogram;
import dev.flowstore.Nodes;
import dev.flowstore.Outbox;
import dev.flowstore.ProcessedMessages;
import dev.flowstore.Queue;
import dev.flowstore.Records;
import dev.flowstore.ResumeHandles;
import dev.flowstore.Sessions;
import dev.flowstore.Steps;
import dev.flowstore.Tasks;
import dev.flowstore.TenantId;
import dev.flowstore.TransactionWork;
import dev.flowstore.spi.QueueBackend;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A {@link Flowstore} over JDBC: the facade that wires the engine's parts and is what every store
 * reaches through its {@link Scope}. The parts, each owning one job: {@link Transactions} (running
 * transactions and one-statement transactions, after-commit hooks), {@link JdbcStores} (making the
 * stores over a scope), {@link TenantRegistry}, {@link ReapThrottle}, {@link Plugins} (queue
 * backend and session cache from other modules), {@link QueueWakeups} (work signals) and the two
 * {@link GroupCommit} lanes (appends, acks).
 */
public final class JdbcFlowstore implements Flowstore {
  private final FlowstoreConfig config;
  private final Dialect dialect;
  private final DataSource writer;
  private final DataSource reader;
  private final Clock clock;
  private final Runnable migrate;
  private final AutoCloseable onClose;
  private final String description;
  private final Transactions transactions;
  private final TenantRegistry tenants;
  private final ReapThrottle reapThrottle = new ReapThrottle();
  private final QueueWakeups wakeups;
  private final FeedWaits feedWaits;
  private final List<MetricGauge> gauges;
  private final EngineMetrics engineMetrics;
  // why: appends and acks that run in their own transaction are committed in groups (one fsync
  // for many callers); see GroupCommit
  private final GroupCommit<EventAppends.Request, AppendResult> appends;
  private final GroupCommit<JdbcQueue.AckRequest, Job> acks;
  private final JdbcApiKeys apiKeys;
  private final JdbcMaintenance maintenance;
  private final Plugins plugins;
  // why: the plugins' queue backend (null: the SQL queue), kept here too because flowstore-redis's
  // RedisTenantMemoryTest reads this field by reflection
  private final QueueBackend queueBackend;
  // why: PostgreSQL only (null elsewhere, or with POSTGRES_ANALYZE=false); see StatisticsKeeper
  private final StatisticsKeeper statistics;

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
    this.transactions = new Transactions(dialect, writer, reader);
    this.wakeups = new QueueWakeups(dialect, config);
    this.tenants = new TenantRegistry(transactions);
    this.engineMetrics = new EngineMetrics(writer, reader);
    this.feedWaits = new FeedWaits(wakeups, dialect.feedRecheck());
    this.gauges =
        Stream.concat(
                engineMetrics.gauges().stream(),
                Stream.concat(Stream.of(feedWaits.gauge()), wakeups.gauges().stream()))
            .toList();
    this.appends =
        new GroupCommit<>(
            256,
            (tenant, batch, recheck) ->
                transactions.writeScopedByWork(
                    tenant, c -> EventAppends.appendGroup(c, joined(tenant, c), batch, recheck)),
            engineMetrics.appendBatches);
    this.acks =
        new GroupCommit<>(
            256,
            (tenant, batch, recheck) -> JdbcQueue.ackGroup(this, tenant, batch, recheck),
            engineMetrics.ackBatches);
    this.apiKeys = new JdbcApiKeys(this);
    this.maintenance = new JdbcMaintenance(this);
    // last: a plugin is handed this store, complete
    this.plugins = new Plugins(config, clock, this, new JdbcDeadLetterStore(this));
    this.queueBackend = plugins.queueBackend();
    this.statistics =
        dialect instanceof PostgresDialect
                && config.section(dev.flowstore.jdbc.PostgresSettings.class).analyze()
            ? StatisticsKeeper.start(writer)
            : null;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Now, to the microsecond: the precision both databases keep. */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private JdbcStores stores(TenantId tenant) {
    return new JdbcStores(new AutonomousScope(this, Objects.requireNonNull(tenant)));
  }

  @Override
  public EventStore events(TenantId tenant) {
    return stores(tenant).events();
  }

  @Override
  public Records records(TenantId tenant) {
    return stores(tenant).records();
  }

  @Override
  public Collections collections() {
    return new JdbcCollections(this);
  }

  @Override
  public Flows flows(TenantId tenant) {
    return stores(tenant).flows();
  }

  @Override
  public Sessions sessions(TenantId tenant) {
    return stores(tenant).sessions();
  }

  @Override
  public Steps steps(TenantId tenant) {
    return stores(tenant).steps();
  }

  @Override
  public Checkpoints checkpoints(TenantId tenant) {
    return stores(tenant).checkpoints();
  }

  @Override
  public Nodes nodes(TenantId tenant) {
    return stores(tenant).nodes();
  }

  @Override
  public Tasks tasks(TenantId tenant) {
    return stores(tenant).tasks();
  }

  @Override
  public ResumeHandles resumeHandles(TenantId tenant) {
    return stores(tenant).resumeHandles();
  }

  @Override
  public Commands commands(TenantId tenant) {
    return stores(tenant).commands();
  }

  @Override
  public AuditLog audit(TenantId tenant) {
    return stores(tenant).audit();
  }

  @Override
  public Queue queue(TenantId tenant) {
    return stores(tenant).queue();
  }

  @Override
  public Outbox outbox(TenantId tenant) {
    return stores(tenant).outbox();
  }

  @Override
  public ProcessedMessages processed(TenantId tenant) {
    return stores(tenant).processed();
  }

  @Override
  public IdempotencyKeys idempotencyKeys(TenantId tenant) {
    return stores(tenant).idempotencyKeys();
  }

  @Override
  public <T> T inTransaction(TenantId tenant, TransactionWork<T> work) {
    Objects.requireNonNull(tenant, "tenant");
    return write(tenant, c -> JdbcStores.run(new BoundScope(this, tenant, c), work));
  }

  /**
   * A scope on a connection that is already inside this tenant's transaction (stores composing
   * stores).
   */
  Scope joined(TenantId tenant, Connection c) {
    return new BoundScope(this, tenant, c);
  }

  Plugins plugins() {
    return plugins;
  }

  /**
   * The queue backend outside the database, or null when the queue is the SQL one. Public for the
   * tests of a backend module (what it holds in memory), which may not read this class's fields.
   */
  public QueueBackend queueBackend() {
    return queueBackend;
  }

  // the names the stores call; the work is Transactions'

  <T> T write(TenantId tenant, SqlWork<T> work) {
    return transactions.write(tenant, work);
  }

  <T> T read(TenantId tenant, SqlWork<T> work) {
    return transactions.read(tenant, work);
  }

  /** Runs SQL outside any tenant (API keys, probes): no role switch, no tenant setting. */
  public <T> T system(SqlWork<T> work) {
    return transactions.system(work);
  }

  <T> List<T> writeStatement(TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    return transactions.writeStatement(tenant, sql, mapper);
  }

  <T> List<T> readStatement(TenantId tenant, Sql sql, Columns.Mapper<T> mapper) {
    return transactions.readStatement(tenant, sql, mapper);
  }

  /** The transaction runner (stores that open a transaction with several statements). */
  /**
   * The collection declarations this store has read, by name: a hint, never trusted alone; each use
   * checks it against the stored version in the same transaction ({@link JdbcCollections#check}),
   * so a declaration changed by another store on the same database is seen at once.
   */
  final java.util.concurrent.ConcurrentHashMap<String, dev.flowstore.Collection> declarations =
      new java.util.concurrent.ConcurrentHashMap<>();

  Transactions transactions() {
    return transactions;
  }

  boolean scopesStatements() {
    return transactions.scopesStatements();
  }

  void afterCommit(Runnable r) {
    Transactions.afterCommit(r);
  }

  void afterCommitOrUnknown(Runnable r) {
    Transactions.afterCommitOrUnknown(r);
  }

  // the names the stores call; the work is TenantRegistry's and ReapThrottle's

  void registerTenant(Connection c, TenantId tenant) throws SQLException {
    tenants.register(c, tenant);
  }

  /** How many tenants registerTenant remembers (tests: bounded). */
  int knownTenantCount() {
    return tenants.knownCount();
  }

  @Override
  public List<TenantId> tenants() {
    return tenants.all();
  }

  @Override
  public List<TenantId> outboxTenants() {
    return tenants.outboxUsers();
  }

  boolean reapDue(String queueKey, Instant now) {
    return reapThrottle.due(queueKey, now);
  }

  void reaped(String queueKey, Instant now) {
    reapThrottle.reaped(queueKey, now);
  }

  /** How many queues the reap throttle remembers (tests: bounded). */
  int reapThrottleSize() {
    return reapThrottle.size();
  }

  GroupCommit<EventAppends.Request, AppendResult> appends() {
    return appends;
  }

  GroupCommit<JdbcQueue.AckRequest, Job> acks() {
    return acks;
  }

  QueueWakeups wakeups() {
    return wakeups;
  }

  FeedWaits feedWaits() {
    return feedWaits;
  }

  /**
   * The wake-up key of the outbox (tenant ids never contain '*', so it cannot clash with a
   * queue's).
   */
  static final String OUTBOX_KEY = "*outbox";

  @Override
  public long outboxSignal() {
    wakeups.ensureListening();
    return wakeups.generation(OUTBOX_KEY);
  }

  @Override
  public boolean awaitOutboxSignal(long seen, Duration timeout) throws InterruptedException {
    wakeups.ensureListening();
    return wakeups.await(OUTBOX_KEY, seen, timeout);
  }

  /**
   * A store like this one whose write connections come from {@code wrap(writer)}, sharing
   * everything else (tests: connections that fail on purpose). Closing it closes nothing.
   */
  JdbcFlowstore withWriter(UnaryOperator<DataSource> wrap) {
    return new JdbcFlowstore(
        config, dialect, wrap.apply(writer), reader, clock, migrate, () -> {}, description);
  }

  @Override
  public ApiKeys apiKeys() {
    return apiKeys;
  }

  @Override
  public Maintenance maintenance() {
    return maintenance;
  }

  /** The pool writes come from: owner connections (DDL outside a transaction, RecordIndexes). */
  DataSource writerPool() {
    return writer;
  }

  /**
   * Builds and drops the expression indexes of the collections' fields to match their declarations
   * (RecordIndexes): when the store is opened with its migrations, after {@link #migrate}, after a
   * copy into it.
   */
  public void ensureRecordIndexes() {
    RecordIndexes.ensure(this);
  }

  /** The pool reads come from (SQLite: the readers, which never take the write lock). */
  DataSource readers() {
    return reader;
  }

  @Override
  public void migrate() {
    migrate.run();
    ensureRecordIndexes();
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
    plugins.checkReady();
  }

  @Override
  public String describe() {
    return plugins.describe(description);
  }

  @Override
  public List<MetricCounter> metrics() {
    // why: with a queue backend of its own (Redis) the SQL queue never leases, so its counter would
    // sit at 0 and look like "no lease ever expired"
    List<MetricCounter> all =
        new java.util.ArrayList<>(queueBackend == null ? engineMetrics.counters() : List.of());
    all.addAll(plugins.metrics());
    if (statistics != null) all.addAll(statistics.counters());
    return all;
  }

  @Override
  public List<MetricGauge> gauges() {
    return gauges;
  }

  @Override
  public List<MetricHistogram> histograms() {
    return engineMetrics.histograms();
  }

  /** The SQL queue's lease expirations, counted for {@link #metrics()}. */
  void leasesExpired(int n) {
    engineMetrics.leasesExpired(n);
  }

  @Override
  public FlowstoreConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (statistics != null) statistics.close();
    wakeups.close();
    plugins.close();
    try {
      onClose.close();
    } catch (Exception e) {
      throw new FlowstoreException(
          ErrorCode.INTERNAL, "closing " + description + ": " + e.getMessage(), e);
    }
  }
}
