package dev.flowstore.jdbc.internal;

import dev.flowstore.AppendResult;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.internal.EventValidation.Prepared;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for appends that run in their own transaction. Appends of one tenant are serial
 * anyway (each holds the tenant's feed lock until it commits), so instead of N transactions and N
 * fsyncs, concurrent callers queue up and one of them — the leader — commits a batch of them in one
 * transaction: it takes the feed lock once, applies each append in arrival order (each checked on
 * its own: a VERSION_CONFLICT fails that append only, before it writes anything), writes the feed
 * head once, and commits. Every caller gets its own result or error, and only after the commit — so
 * a success is durable when it is returned. If the shared transaction itself fails, the batch is
 * retried one append per transaction, so one bad append cannot fail the others.
 *
 * <p>No thread of its own: the caller that finds no leader becomes it and drains the queue; the
 * others wait on their futures (and take over if the leader finished just before their append
 * arrived).
 */
final class GroupCommit {
  private static final int MAX_BATCH = 256;

  private final JdbcFlowstore fs;
  private final Map<TenantId, Lane> lanes = new ConcurrentHashMap<>();

  GroupCommit(JdbcFlowstore fs) {
    this.fs = fs;
  }

  private static final class Lane {
    final ConcurrentLinkedQueue<Request> pending = new ConcurrentLinkedQueue<>();
    final AtomicBoolean leading = new AtomicBoolean();
  }

  private record Request(
      String stream,
      ExpectedVersion expected,
      List<Prepared> events,
      CompletableFuture<AppendResult> done) {}

  AppendResult append(
      TenantId tenant, String stream, ExpectedVersion expected, List<Prepared> events) {
    Lane lane = lanes.computeIfAbsent(tenant, t -> new Lane());
    Request request = new Request(stream, expected, events, new CompletableFuture<>());
    lane.pending.add(request);
    while (!request.done().isDone()) {
      if (lane.leading.compareAndSet(false, true)) {
        try {
          drain(tenant, lane);
        } finally {
          lane.leading.set(false);
        }
      } else {
        try {
          // why: a leader may have drained its last batch just before this append arrived; waking
          // up
          // now and then to try for leadership means no append is left waiting
          request.done().get(2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // done or not: the loop condition and join() below tell
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FlowstoreException(
              dev.flowstore.ErrorCode.INTERNAL, "interrupted while appending", e);
        }
      }
    }
    try {
      return request.done().join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }

  private void drain(TenantId tenant, Lane lane) {
    while (true) {
      List<Request> batch = new ArrayList<>();
      for (Request r; batch.size() < MAX_BATCH && (r = lane.pending.poll()) != null; ) batch.add(r);
      if (batch.isEmpty()) return;
      commit(tenant, batch);
    }
  }

  private void commit(TenantId tenant, List<Request> batch) {
    Map<Request, Object> outcomes = new IdentityHashMap<>();
    try {
      fs.write(
          tenant,
          c -> {
            outcomes.clear();
            JdbcEventStore events = new JdbcEventStore(fs.joined(tenant, c));
            long[] head = {events.lockFeedHead(c)};
            long start = head[0];
            // why: one query for every stream's version and one batch for every event, so a batch
            // costs a handful of round trips however many appends it holds
            Map<String, Long> versions =
                events.streamVersions(c, batch.stream().map(Request::stream).distinct().toList());
            List<JdbcEventStore.Planned> rows = new ArrayList<>();
            java.time.Instant now = fs.now();
            for (Request r : batch) {
              try {
                outcomes.put(
                    r,
                    events.appendDeferred(
                        c, r.stream(), r.expected(), r.events(), head, versions, rows, now));
              } catch (FlowstoreException e) {
                outcomes.put(r, e);
              }
            }
            events.insertAll(c, rows);
            if (head[0] != start) events.updateHead(c, head[0]);
            return null;
          });
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).done().completeExceptionally(e);
      } else {
        for (Request r : batch) commit(tenant, List.of(r));
      }
      return;
    }
    for (Request r : batch) {
      Object outcome = outcomes.get(r);
      if (outcome instanceof AppendResult result) r.done().complete(result);
      else r.done().completeExceptionally((Throwable) outcome);
    }
  }
}
