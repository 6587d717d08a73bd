package dev.flowstore;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link JobHandler} for the jobs of one queue, backend-agnostic (it uses only {@link
 * Queue}). One poller leases as many jobs as there are free slots ({@link Builder#concurrency}),
 * each job runs on its own virtual thread, a heartbeat extends the leases of running jobs, and when
 * the queue is empty the poller expires stale leases, recovers interrupted DLQ transitions and
 * waits in {@link Queue#awaitWork} (woken on enqueue, polling every {@link Builder#pollInterval} as
 * the fallback).
 *
 * <p>{@link #close()} is graceful: it stops leasing, lets in-flight jobs finish for {@link
 * Builder#shutdownGrace}, then releases the leases of the jobs still running (they go back to the
 * queue without counting an attempt) and interrupts their threads. Whoever settles a job first (its
 * handler's ack/nack, or the release at shutdown) is the only one who does.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final int MAX_ERROR = 8_000;

  /** Configures a worker; {@link #start()} starts it. */
  public static final class Builder {
    private final Queue queue;
    private final String name;
    private final JobHandler handler;
    private int concurrency = 1;
    private Duration visibility = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private Duration heartbeatInterval;

    Builder(Queue queue, String name, JobHandler handler) {
      this.queue = Objects.requireNonNull(queue, "queue");
      this.name = Objects.requireNonNull(name, "queue name");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** How many jobs run at once (default 1). */
    public Builder concurrency(int n) {
      if (n < 1 || n > 10_000)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "concurrency must be 1..10000, got " + n);
      this.concurrency = n;
      return this;
    }

    /** The lease (visibility timeout) of each job, extended by heartbeats (default 30 s). */
    public Builder visibility(Duration d) {
      this.visibility = positive("visibility", d);
      return this;
    }

    /** How long an idle worker waits before polling again without a wake-up (default 1 s). */
    public Builder pollInterval(Duration d) {
      this.pollInterval = positive("poll_interval", d);
      return this;
    }

    /** How long {@link #close()} lets in-flight jobs finish (default 10 s). */
    public Builder shutdownGrace(Duration d) {
      Objects.requireNonNull(d, "shutdown_grace");
      if (d.isNegative())
        throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "shutdown_grace must be >= 0");
      this.shutdownGrace = d;
      return this;
    }

    /** How often running jobs' leases are extended (default a third of the visibility). */
    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = positive("heartbeat_interval", d);
      return this;
    }

    /** Starts leasing. */
    public Worker start() {
      Worker w = new Worker(this);
      w.start();
      return w;
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero())
        throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + " must be > 0, got " + d);
      return d;
    }
  }

  /** A job being run: {@code settled} makes ack/nack and the shutdown release exclusive. */
  private record InFlight(Lease lease, AtomicBoolean settled) {}

  private final Queue queue;
  private final String name;
  private final JobHandler handler;
  private final int concurrency;
  private final Duration visibility;
  private final Duration pollInterval;
  private final Duration shutdownGrace;
  private final Duration heartbeatInterval;
  private final Semaphore slots;
  private final Map<java.util.UUID, InFlight> inFlight = new ConcurrentHashMap<>();
  private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("flowstore-heartbeat").factory());
  private final Object pollLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong nacked = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private volatile boolean stopping;
  private boolean pollerWaiting; // guarded by pollLock
  private Thread poller;

  private Worker(Builder b) {
    this.queue = b.queue;
    this.name = b.name;
    this.handler = b.handler;
    this.concurrency = b.concurrency;
    this.visibility = b.visibility;
    this.pollInterval = b.pollInterval;
    this.shutdownGrace = b.shutdownGrace;
    this.heartbeatInterval =
        b.heartbeatInterval != null ? b.heartbeatInterval : b.visibility.dividedBy(3);
    this.slots = new Semaphore(concurrency);
  }

  private void start() {
    long every = Math.max(1, heartbeatInterval.toMillis());
    heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    poller = Thread.ofVirtual().name("flowstore-worker-" + name).start(this::poll);
  }

  /** Jobs running now. */
  public int inFlight() {
    return inFlight.size();
  }

  /** Jobs acked, nacked, and settled too late (LEASE_LOST) so far. */
  public long acked() {
    return acked.get();
  }

  public long nacked() {
    return nacked.get();
  }

  public long leasesLost() {
    return lost.get();
  }

  /** False once {@link #close()} has begun. */
  public boolean isRunning() {
    return !stopping;
  }

  private void poll() {
    while (!stopping) {
      int held = 0;
      try {
        if (!waitFor(() -> slots.acquire())) break;
        held = 1 + slots.drainPermits();
        if (stopping) break;
        java.util.List<Lease> leases = queue.lease(name, held, visibility);
        for (Lease l : leases) {
          held--;
          run(l);
        }
        slots.release(held);
        held = 0;
        if (leases.isEmpty()) {
          maintenance();
          if (!waitFor(() -> queue.awaitWork(name, pollInterval))) break;
        }
      } catch (RuntimeException e) {
        log.warn(
            "worker {}: lease failed, retrying after the poll interval: {}", name, e.toString());
        slots.release(held);
        held = 0;
        if (!waitFor(() -> queue.awaitWork(name, pollInterval))) break;
      } finally {
        if (held > 0) slots.release(held);
      }
    }
  }

  private interface Wait {
    void run() throws InterruptedException;
  }

  /** Runs a blocking wait that close() may interrupt; false when interrupted or stopping. */
  private boolean waitFor(Wait wait) {
    synchronized (pollLock) {
      if (stopping) return false;
      pollerWaiting = true;
    }
    try {
      wait.run();
      return !stopping;
    } catch (InterruptedException e) {
      return false;
    } finally {
      synchronized (pollLock) {
        pollerWaiting = false;
        Thread
            .interrupted(); // why: an interrupt meant for the wait must not hit the next JDBC call
      }
    }
  }

  private void maintenance() {
    try {
      queue.releaseExpired();
      queue.recoverDlq();
    } catch (RuntimeException e) {
      log.warn("worker {}: reaper failed: {}", name, e.toString());
    }
  }

  private void run(Lease lease) {
    InFlight f = new InFlight(lease, new AtomicBoolean());
    inFlight.put(lease.jobId(), f);
    jobs.submit(
        () -> {
          try {
            Exception failure = null;
            try {
              handler.handle(lease);
            } catch (Exception e) {
              failure = e;
            }
            if (!f.settled().compareAndSet(false, true)) return; // released at shutdown
            try {
              if (failure == null) {
                queue.ack(lease.jobId(), lease.token());
                acked.incrementAndGet();
              } else {
                queue.nack(lease.jobId(), lease.token(), describe(failure), null);
                nacked.incrementAndGet();
              }
            } catch (FlowstoreException e) {
              if (e.code() == ErrorCode.LEASE_LOST) lost.incrementAndGet();
              log.info("worker {}: job {} not settled: {}", name, lease.jobId(), e.toString());
            }
          } finally {
            inFlight.remove(lease.jobId());
            slots.release();
          }
        });
  }

  private void heartbeat() {
    for (InFlight f : inFlight.values()) {
      if (f.settled().get()) continue;
      try {
        queue.heartbeat(f.lease().jobId(), f.lease().token(), visibility);
      } catch (RuntimeException e) {
        log.info(
            "worker {}: heartbeat of job {} failed: {}", name, f.lease().jobId(), e.toString());
      }
    }
  }

  private static String describe(Exception e) {
    String text = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    text = text.replace('\u0000', ' ');
    return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
  }

  /**
   * Stops leasing, waits up to the shutdown grace for in-flight jobs, then releases the leases of
   * the jobs still running and interrupts them. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    stopping = true;
    synchronized (pollLock) {
      if (pollerWaiting) poller.interrupt();
    }
    try {
      poller.join(Math.max(1000, shutdownGrace.toMillis()));
      boolean drained =
          slots.tryAcquire(concurrency, shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
      if (drained) slots.release(concurrency);
      else releaseRemaining();
    } catch (InterruptedException e) {
      releaseRemaining();
      Thread.currentThread().interrupt();
    } finally {
      heartbeats.shutdownNow();
      jobs.shutdownNow();
    }
  }

  private void releaseRemaining() {
    for (InFlight f : inFlight.values()) {
      if (!f.settled().compareAndSet(false, true)) continue;
      try {
        queue.release(f.lease().jobId(), f.lease().token());
      } catch (RuntimeException e) {
        log.info("worker {}: release of job {} failed: {}", name, f.lease().jobId(), e.toString());
      }
    }
  }
}
