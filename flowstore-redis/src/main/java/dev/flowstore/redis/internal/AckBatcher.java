package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for the acks of one tenant: at most {@link #MAX_IN_FLIGHT} calls of the ack script
 * are in flight at a time, and the acks that arrive meanwhile go together in the next one (up to
 * {@link #MAX_BATCH}), which is sent from the completion of a previous call, on Lettuce's I/O
 * thread, before its callers are woken: no thread hand-off in between. A lone ack is sent at once.
 * Under load (workers acking side by side) one round trip and one script call settle many jobs;
 * each ack in a call is still checked on its own (token, status), so batching changes no outcome
 * (RedisAckBatchTest). Callers wait on a future, so virtual-thread workers park without pinning
 * their carrier.
 *
 * <p>A lane lives only while the tenant has acks in flight: when its last call completes with
 * nothing pending it retires (under its lock) and leaves the backend's map, so the map holds busy
 * tenants, not every tenant ever seen. An ack that reaches a retired lane is refused ({@link #run}
 * returns false) and the caller takes a fresh lane: no ack can be left behind in a retired one.
 */
final class AckBatcher {
  static final int MAX_BATCH = 200;

  /**
   * Calls in flight at once: with two, Redis runs one while the other's reply travels back and the
   * next batch forms, so it doesn't sit idle for a round trip between batches.
   */
  static final int MAX_IN_FLIGHT = 2;

  /** One ack: its arguments, then its reply {@code {code, value}} and the script's "now". */
  static final class Ack {
    final String id;
    final String token;
    final boolean full;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    Object reply;
    Instant now;

    Ack(String id, String token, boolean full) {
      this.id = id;
      this.token = token;
      this.full = full;
    }
  }

  private final RedisQueueBackend backend;
  private final Keys keys;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Ack> pending = new ArrayDeque<>();
  private int inFlight;
  private volatile boolean retired;

  AckBatcher(RedisQueueBackend backend, Keys keys) {
    this.backend = backend;
    this.keys = keys;
  }

  TenantId tenant() {
    return keys.tenant();
  }

  /** True once the lane went idle and left the map: it takes no more acks. */
  boolean retired() {
    return retired;
  }

  /**
   * Runs {@code ack} (alone or with others) and waits for it.
   *
   * @return false, without running it, when this lane has retired (take a fresh one)
   * @throws FlowstoreException when the script call failed (BACKEND_UNAVAILABLE...)
   */
  boolean run(Ack ack) {
    boolean send;
    lock.lock();
    try {
      if (retired) return false;
      pending.add(ack);
      send = inFlight < MAX_IN_FLIGHT;
      if (send) inFlight++;
    } finally {
      lock.unlock();
    }
    if (send) sendNext();
    try {
      ack.done.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof FlowstoreException f)
        throw new FlowstoreException(f.code(), f.getMessage(), f);
      throw new FlowstoreException(ErrorCode.INTERNAL, "ack " + ack.id + " failed: " + e, e);
    }
    return true;
  }

  /** Sends the pending acks as one call, or ends the run when none is pending. */
  private void sendNext() {
    List<Ack> batch;
    lock.lock();
    try {
      if (pending.isEmpty()) {
        // why: the last call of the run ended with nothing pending: retire under the lock, so a
        // concurrent run() either got its ack in before (and it was sent) or sees retired
        if (--inFlight == 0) retired = true;
        batch = null;
      } else {
        batch = new ArrayList<>(Math.min(MAX_BATCH, pending.size()));
        while (batch.size() < MAX_BATCH && !pending.isEmpty()) batch.add(pending.poll());
      }
    } finally {
      lock.unlock();
    }
    if (batch == null) {
      if (retired) backend.retire(this);
      return;
    }
    Instant now;
    CompletableFuture<List<Object>> call;
    try {
      now = backend.now();
      String[] args = new String[1 + batch.size() * 3];
      args[0] = Integer.toString(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Ack a = batch.get(i);
        args[1 + i * 3] = a.id;
        args[2 + i * 3] = a.token;
        args[3 + i * 3] = a.full ? "1" : "0";
      }
      call = backend.redis().evalAsync(Scripts.ACK, keys, now, args);
    } catch (RuntimeException e) {
      sendNext();
      for (Ack a : batch) a.done.completeExceptionally(e);
      return;
    }
    call.whenComplete(
        (reply, failure) -> {
          // why: the next batch goes out first; waking this batch's callers can wait
          sendNext();
          settle(batch, now, reply, failure);
        });
  }

  private static void settle(List<Ack> batch, Instant now, List<Object> reply, Throwable failure) {
    if (failure == null) {
      try {
        List<?> results = (List<?>) reply.get(1);
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).reply = results.get(i);
          batch.get(i).now = now;
        }
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    for (Ack a : batch) {
      if (failure == null) a.done.complete(null);
      else a.done.completeExceptionally(failure);
    }
  }
}
