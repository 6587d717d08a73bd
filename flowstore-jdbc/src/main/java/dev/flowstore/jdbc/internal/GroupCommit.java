package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.MetricHistogram;
import dev.flowstore.TenantId;
import java.util.Arrays;
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
 * result or error only after the commit — so a success is durable when it is returned.
 *
 * <p>When the shared transaction fails, each request is run again in a transaction of its own, so
 * one bad request cannot fail the others. Two cases:
 *
 * <ul>
 *   <li>It failed before its commit (nothing stored): the requests simply run again.
 *   <li>Its commit failed ({@link ErrorCode#OUTCOME_UNKNOWN}: the connection was lost during {@code
 *       COMMIT}, so it may have committed): the requests run again as <em>re-checks</em> ({@code
 *       recheck} true), which must find what the first try stored and answer it instead of writing
 *       it twice — an append looks for its own event ids (generated ones included, fixed before the
 *       first try), an ack accepts its job already acked under its own token. A re-check that
 *       cannot run (the database still unreachable) answers {@code OUTCOME_UNKNOWN}: never a guess.
 *       See docs/architecture.md ("The path of an append") and docs/queue.md.
 * </ul>
 *
 * <p>Whatever a batch throws ({@link Error}s included), every caller of the batch is completed and
 * the leader goes on with the queue, then steps down: nobody waits forever.
 *
 * <p>No thread of its own: the leader is one of the callers. A leader that steps down looks at the
 * queue again, so a request queued while it was finishing is never left waiting. A lane (one per
 * tenant) is dropped once it is idle, so the map holds only tenants with calls in flight.
 *
 * @param <Q> a request
 * @param <A> its answer
 */
final class GroupCommit<Q, A> {

  /** Runs one batch in one transaction of its own. */
  interface Work<Q, A> {
    /**
     * @param recheck true when the batch (then one request) runs again after a try whose commit
     *     outcome is unknown: what that try may have stored must be recognised, not written again
     * @return per request, in batch order, its answer or the {@link FlowstoreException} that
     *     rejected it (a rejected request must have written nothing), every one settled; an
     *     exception thrown means the transaction did not commit, or {@link
     *     ErrorCode#OUTCOME_UNKNOWN} that it may have
     */
    Answers<A> run(TenantId tenant, List<Q> batch, boolean recheck);
  }

  private final int maxBatch;
  private final Work<Q, A> work;
  private final MetricHistogram batchSizes;
  private final Map<TenantId, Lane<Q, A>> lanes = new ConcurrentHashMap<>();

  GroupCommit(int maxBatch, Work<Q, A> work, MetricHistogram batchSizes) {
    this.maxBatch = maxBatch;
    this.work = work;
    this.batchSizes = batchSizes;
  }

  private record Pending<Q, A>(Q request, CompletableFuture<A> done) {}

  private static final class Lane<Q, A> {
    final ConcurrentLinkedQueue<Pending<Q, A>> queue = new ConcurrentLinkedQueue<>();
    final AtomicBoolean leading = new AtomicBoolean();
  }

  /** Runs {@code request} in a shared transaction; returns once that transaction committed. */
  A submit(TenantId tenant, Q request) {
    Pending<Q, A> pending = new Pending<>(request, new CompletableFuture<>());
    // why: queued inside compute, so dropping an idle lane (also inside compute) cannot race a
    // request into a lane that is no longer in the map
    Lane<Q, A> lane =
        lanes.compute(
            tenant,
            (t, l) -> {
              Lane<Q, A> in = l == null ? new Lane<>() : l;
              in.queue.add(pending);
              return in;
            });
    lead(tenant, lane);
    return await(pending.done());
  }

  /** How many tenants have a lane now (tests: idle lanes are dropped). */
  int lanes() {
    return lanes.size();
  }

  /** How many requests of {@code tenant} wait for a leader to take them (tests). */
  int queued(TenantId tenant) {
    Lane<Q, A> lane = lanes.get(tenant);
    return lane == null ? 0 : lane.queue.size();
  }

  /** Whether {@code tenant}'s lane has a leader now (tests). */
  boolean leading(TenantId tenant) {
    Lane<Q, A> lane = lanes.get(tenant);
    return lane != null && lane.leading.get();
  }

  // why: whoever releases leadership re-checks the queue, so a request added after the leader's
  // last poll but before it stepped down is drained by it (or by the next leader): nobody polls
  private void lead(TenantId tenant, Lane<Q, A> lane) {
    while (!lane.queue.isEmpty() && lane.leading.compareAndSet(false, true)) {
      try {
        drain(tenant, lane);
      } finally {
        lane.leading.set(false);
      }
    }
    // a lane with nothing queued and no leader holds nothing: drop it (a later request makes a
    // new one); a request queued meanwhile keeps it, because queueing happens inside compute
    if (lane.queue.isEmpty())
      lanes.computeIfPresent(
          tenant, (t, l) -> l == lane && l.queue.isEmpty() && !l.leading.get() ? null : l);
  }

  /** Commits batches until the queue is empty; completes every request it polled, come what may. */
  private void drain(TenantId tenant, Lane<Q, A> lane) {
    // why: allocated before anything is polled, so no allocation failure can drop a polled request
    @SuppressWarnings("unchecked")
    Pending<Q, A>[] batch = new Pending[maxBatch];
    while (true) {
      int n = 0;
      for (Pending<Q, A> p; n < maxBatch && (p = lane.queue.poll()) != null; ) batch[n++] = p;
      if (n == 0) return;
      try {
        commit(tenant, Arrays.asList(batch).subList(0, n));
      } catch (Throwable t) {
        // an Error (or a bug) in the batch: fail whoever is not answered yet, and go on with the
        // queue; each caller rethrows it on its own thread
        for (int i = 0; i < n; i++) batch[i].done().completeExceptionally(t);
      } finally {
        Arrays.fill(batch, 0, n, null);
      }
    }
  }

  private void commit(TenantId tenant, List<Pending<Q, A>> batch) {
    batchSizes.record(batch.size());
    Answers<A> outcomes;
    try {
      outcomes = work.run(tenant, requests(batch), false);
    } catch (RuntimeException e) {
      boolean unknown = outcomeUnknown(e);
      if (batch.size() == 1 && !unknown) batch.get(0).done().completeExceptionally(e);
      else alone(tenant, batch, unknown, e);
      return;
    }
    answer(batch, outcomes);
  }

  /**
   * Runs each request of a failed batch in a transaction of its own: a re-check when the batch's
   * outcome is unknown. Once the database is unreachable the rest are not tried (each would wait
   * for a connection in turn): a request that needed a re-check then gets OUTCOME_UNKNOWN, one that
   * did not BACKEND_UNAVAILABLE (nothing of it was stored).
   */
  private void alone(TenantId tenant, List<Pending<Q, A>> batch, boolean unknown, Exception first) {
    RuntimeException down = null;
    for (Pending<Q, A> p : batch) {
      if (down != null) {
        p.done()
            .completeExceptionally(
                unknown
                    ? unknownAfter(first, down)
                    : new FlowstoreException(
                        ErrorCode.BACKEND_UNAVAILABLE,
                        "not written: the database became unreachable (" + down.getMessage() + ")",
                        down));
        continue;
      }
      try {
        answer(List.of(p), work.run(tenant, List.of(p.request()), unknown));
      } catch (RuntimeException e) {
        if (unreachable(e)) down = e;
        p.done().completeExceptionally(unknown ? unknownAfter(first, e) : e);
      }
    }
  }

  private void answer(List<Pending<Q, A>> batch, Answers<A> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      FlowstoreException rejected = outcomes.rejection(i);
      A value = outcomes.value(i);
      if (rejected != null) batch.get(i).done().completeExceptionally(rejected);
      else if (value != null) batch.get(i).done().complete(value);
      else
        batch
            .get(i)
            .done()
            .completeExceptionally(
                new FlowstoreException(
                    ErrorCode.INTERNAL, "group commit: request " + i + " was left unanswered"));
    }
  }

  private List<Q> requests(List<Pending<Q, A>> batch) {
    return batch.stream().map(Pending::request).toList();
  }

  static boolean outcomeUnknown(Throwable e) {
    return e instanceof FlowstoreException f && f.code() == ErrorCode.OUTCOME_UNKNOWN;
  }

  private static boolean unreachable(Throwable e) {
    return e instanceof FlowstoreException f
        && (f.code() == ErrorCode.OUTCOME_UNKNOWN || f.code() == ErrorCode.BACKEND_UNAVAILABLE);
  }

  /** The answer of a request whose first try may have committed and whose re-check failed. */
  private static FlowstoreException unknownAfter(Exception first, RuntimeException recheck) {
    if (outcomeUnknown(recheck)) return (FlowstoreException) recheck;
    FlowstoreException e =
        new FlowstoreException(
            ErrorCode.OUTCOME_UNKNOWN,
            "the commit was interrupted and the check for what it stored failed ("
                + recheck.getMessage()
                + "): the write may or may not be stored; read before retrying it",
            recheck);
    e.addSuppressed(first);
    return e;
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
              ErrorCode.INTERNAL, "group commit failed: " + e.getCause(), e);
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
