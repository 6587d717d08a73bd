package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit: concurrent calls of one kind (appends, acks) of one tenant that each would run in a
 * transaction of their own share one transaction instead, so N commits (N WAL fsyncs) become one.
 * The first caller that finds no leader becomes the leader and runs queued requests in batches of
 * up to {@code maxBatch}; each request is checked on its own inside the batch (a VERSION_CONFLICT
 * or LEASE_LOST fails that request only, before it writes anything), and every caller gets its own
 * result or error only after the commit — so a success is durable when it is returned. If the
 * shared transaction itself fails, the batch is retried one request per transaction, so one bad
 * request cannot fail the others.
 *
 * <p>No thread of its own: the leader is one of the callers. A leader that steps down looks at the
 * queue again, so a request queued while it was finishing is never left waiting.
 *
 * @param <Q> a request
 * @param <A> its answer
 */
final class GroupCommit<Q, A> {

  /** Runs one batch in one transaction of its own. */
  interface Work<Q> {
    /**
     * @return per request, in batch order, its answer or the {@link FlowstoreException} that
     *     rejected it (a rejected request must have written nothing); an exception thrown means the
     *     transaction did not commit
     */
    Object[] run(TenantId tenant, List<Q> batch);
  }

  private final int maxBatch;
  private final Work<Q> work;
  private final Map<TenantId, Lane<Q, A>> lanes = new ConcurrentHashMap<>();

  GroupCommit(int maxBatch, Work<Q> work) {
    this.maxBatch = maxBatch;
    this.work = work;
  }

  private record Pending<Q, A>(Q request, CompletableFuture<A> done) {}

  private static final class Lane<Q, A> {
    final ConcurrentLinkedQueue<Pending<Q, A>> queue = new ConcurrentLinkedQueue<>();
    final AtomicBoolean leading = new AtomicBoolean();
  }

  /** Runs {@code request} in a shared transaction; returns once that transaction committed. */
  A submit(TenantId tenant, Q request) {
    Lane<Q, A> lane = lanes.computeIfAbsent(tenant, t -> new Lane<>());
    Pending<Q, A> pending = new Pending<>(request, new CompletableFuture<>());
    lane.queue.add(pending);
    lead(tenant, lane);
    return await(pending.done());
  }

  // why: whoever releases leadership re-checks the queue, so a request added after the leader's
  // last poll but before it stepped down is drained by it (or by the next leader): nobody polls
  private void lead(TenantId tenant, Lane<Q, A> lane) {
    while (!lane.queue.isEmpty() && lane.leading.compareAndSet(false, true)) {
      try {
        for (List<Pending<Q, A>> batch = next(lane); !batch.isEmpty(); batch = next(lane))
          commit(tenant, batch);
      } finally {
        lane.leading.set(false);
      }
    }
  }

  private List<Pending<Q, A>> next(Lane<Q, A> lane) {
    List<Pending<Q, A>> batch = new ArrayList<>();
    for (Pending<Q, A> p; batch.size() < maxBatch && (p = lane.queue.poll()) != null; )
      batch.add(p);
    return batch;
  }

  @SuppressWarnings("unchecked")
  private void commit(TenantId tenant, List<Pending<Q, A>> batch) {
    Object[] outcomes;
    try {
      List<Q> requests = batch.stream().map(Pending::request).toList();
      outcomes = work.run(tenant, requests);
    } catch (RuntimeException e) {
      if (batch.size() == 1) batch.get(0).done().completeExceptionally(e);
      else for (Pending<Q, A> p : batch) commit(tenant, List.of(p));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (outcomes[i] instanceof Throwable t) batch.get(i).done().completeExceptionally(t);
      else batch.get(i).done().complete((A) outcomes[i]);
    }
  }

  // why: not interruptible — once queued, the request may commit; giving up early would report a
  // failure for data that is stored. The interrupt is kept for the caller to see afterwards.
  private static <A> A await(CompletableFuture<A> done) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) throw r;
          if (e.getCause() instanceof Error err) throw err;
          throw new FlowstoreException(
              dev.flowstore.ErrorCode.INTERNAL, "group commit failed: " + e.getCause(), e);
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
