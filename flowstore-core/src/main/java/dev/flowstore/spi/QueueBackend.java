package dev.flowstore.spi;

import dev.flowstore.MetricCounter;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import java.util.List;
import java.util.function.Consumer;

/** An open queue backend (see {@link QueueProvider}). Thread-safe. */
public interface QueueBackend extends AutoCloseable {
  /** The tenant's queue; each call is atomic on its own. */
  Queue queue(TenantId tenant);

  /**
   * The queue that {@code Transaction.queue()} returns while the SQL store's transaction is open. A
   * backend outside the SQL database cannot join that transaction: it decides (and documents) what
   * it offers instead, e.g. enqueues that take effect only after the commit, through {@code
   * afterCommit} (which runs its argument once the transaction has committed, never after a
   * rollback).
   */
  Queue inTransaction(TenantId tenant, Consumer<Runnable> afterCommit);

  /** Throws {@code BACKEND_UNAVAILABLE} unless the backend answers now and still holds its data. */
  void checkReady();

  /** One line naming the backend and where it is (no credentials). */
  String describe();

  /** The backend's counters (see {@link dev.flowstore.Flowstore#metrics()}). */
  default List<MetricCounter> metrics() {
    return List.of();
  }

  /**
   * The backend's whole contents, for copying and comparing queues ({@code flowstore copy}).
   *
   * @throws dev.flowstore.FlowstoreException {@code UNPROCESSABLE} when the backend cannot be
   *     copied
   */
  default QueueContents contents() {
    throw new dev.flowstore.FlowstoreException(
        dev.flowstore.ErrorCode.UNPROCESSABLE,
        "the queue backend " + describe() + " cannot be copied or compared");
  }

  /**
   * The backend's change log for the mirror ({@code flowstore mirror}; docs/mirror.md).
   *
   * @throws dev.flowstore.FlowstoreException {@code UNPROCESSABLE} when the backend cannot be
   *     mirrored
   */
  default QueueChanges changes() {
    throw new dev.flowstore.FlowstoreException(
        dev.flowstore.ErrorCode.UNPROCESSABLE,
        "the queue backend " + describe() + " cannot be mirrored");
  }

  @Override
  void close();
}
