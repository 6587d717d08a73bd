package dev.flowstore.jdbc.internal;

import dev.flowstore.AuditLog;
import dev.flowstore.Checkpoints;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flows;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IdempotencyKeys;
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
import dev.flowstore.Transaction;
import dev.flowstore.TransactionWork;
import dev.flowstore.spi.QueueBackend;
import java.sql.SQLException;

/**
 * The stores of one tenant over one {@link Scope}: the one place a store is made. Over an {@link
 * AutonomousScope} it backs {@code flowstore.events(tenant)} and the rest; over a {@link
 * BoundScope} it is the {@link Transaction} that {@code inTransaction} hands its work. A new store
 * is one method here (and its interface methods in core's {@code Flowstore} and {@code
 * Transaction}).
 *
 * <p>The two ways in differ in three stores only, and only here: {@link #sessions} and {@link
 * #records} go through the cache outside a caller's transaction (inside it must see the
 * transaction's own, uncommitted writes), and {@link #queue} goes to the queue backend outside the
 * database when one is plugged in, which defers its writes to the commit of the caller's
 * transaction inside one.
 */
record JdbcStores(Scope scope) implements Transaction {
  /**
   * Runs an {@code inTransaction} callback with the stores over {@code scope}, which is closed when
   * it returns: a store kept past its callback fails instead of using a connection returned to the
   * pool.
   */
  static <T> T run(BoundScope scope, TransactionWork<T> work) throws SQLException {
    try {
      return work.run(new JdbcStores(scope));
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new FlowstoreException(ErrorCode.INTERNAL, "transaction work failed: " + e, e);
    } finally {
      scope.close();
    }
  }

  @Override
  public TenantId tenant() {
    return scope.tenant();
  }

  @Override
  public EventStore events() {
    return new JdbcEventStore(scope);
  }

  @Override
  public Records records() {
    JdbcRecords truth = new JdbcRecords(scope);
    if (!scope.ownsTransactions()) return truth;
    return scope.flowstore().plugins().sessionCache().records(tenant(), truth, truth);
  }

  @Override
  public Flows flows() {
    return new JdbcFlows(scope);
  }

  @Override
  public Sessions sessions() {
    JdbcSessions truth = new JdbcSessions(scope);
    if (!scope.ownsTransactions()) return truth;
    return scope.flowstore().plugins().sessionCache().sessions(tenant(), truth, truth::version);
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
    QueueBackend external = scope.flowstore().queueBackend();
    if (external == null) return new JdbcQueue(scope);
    if (scope.ownsTransactions()) return external.queue(tenant());
    return external.inTransaction(tenant(), scope.flowstore()::afterCommit);
  }

  @Override
  public Outbox outbox() {
    return new JdbcOutbox(scope);
  }

  @Override
  public ProcessedMessages processed() {
    return new JdbcProcessedMessages(scope);
  }

  /** Only {@code flowstore.idempotencyKeys(tenant)}: core's {@link Transaction} has none. */
  public IdempotencyKeys idempotencyKeys() {
    return new JdbcIdempotencyKeys(scope);
  }
}
