package dev.flowstore.spi;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs a {@link Mirroring.Link} until stopped (docs/mirror.md): a batch after a batch while it is
 * behind (each batch full), else one every {@code idle} (the batch took all there was: the next
 * gathers what is written meanwhile), and after a failure (either side unreachable, restarting) a
 * retry with backoff, doubling from 100 ms up to 10 s. A failure is counted and reported, never
 * fatal unless it is a {@code CONFIGURATION} error ({@link #fatal}): the primary keeps its change
 * log until the secondary has the rows, so the mirror catches up when both are back. Optionally,
 * every {@code compareEvery} while the lag is 0, it compares both sides ({@link
 * BackendSwitch#compare}) and records the divergence.
 *
 * <p>The counters are read by whoever exposes them (the CLI's {@code --metrics-port} and status
 * lines).
 */
public final class MirrorLoop implements Runnable {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final Flowstore from;
  private final Flowstore to;
  private final Mirroring.Link link;
  private final Duration idle;
  private final Duration compareEvery;
  private final Clock clock;
  private final Consumer<String> log;
  private volatile boolean stopped;
  private volatile FlowstoreException fatal;
  private final Object wake = new Object();

  /** Entries applied since start. */
  public final AtomicLong appliedEntries = new AtomicLong();

  /** Rows written (upserted) on the secondary since start. */
  public final AtomicLong upsertedRows = new AtomicLong();

  /** Rows deleted on the secondary since start. */
  public final AtomicLong deletedRows = new AtomicLong();

  /** Batches that failed since start. */
  public final AtomicLong errors = new AtomicLong();

  /** Entries pending on the primary after the last batch or poll (-1: not known yet). */
  public final AtomicLong pending = new AtomicLong(-1);

  /** Age of the oldest pending entry in milliseconds after the last batch or poll. */
  public final AtomicLong lagMillis = new AtomicLong();

  /** Tables (per tenant) that differed at the last conclusive compare (-1: none ran yet). */
  public final AtomicLong divergentTables = new AtomicLong(-1);

  /** Compares run since start (conclusive or not). */
  public final AtomicLong compares = new AtomicLong();

  /** The last failure's message, null after a batch succeeds. */
  public final AtomicReference<String> lastError = new AtomicReference<>();

  public MirrorLoop(
      Flowstore from,
      Flowstore to,
      Mirroring.Link link,
      Duration idle,
      Duration compareEvery,
      Clock clock,
      Consumer<String> log) {
    this.from = from;
    this.to = to;
    this.link = link;
    this.idle = idle;
    this.compareEvery = compareEvery;
    this.clock = clock;
    this.log = log;
  }

  /**
   * The error that stopped the loop by itself ({@code CONFIGURATION}: a secondary without a copy of
   * the primary, a primary that does not capture), or null.
   */
  public FlowstoreException fatal() {
    return fatal;
  }

  /** Stops the loop after its current batch. */
  public void stop() {
    stopped = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  @Override
  public void run() {
    Duration backoff = FIRST_BACKOFF;
    Instant lastCompare = clock.instant();
    while (!stopped) {
      Duration wait;
      try {
        Mirroring.Step s = link.step();
        appliedEntries.addAndGet(s.entries());
        upsertedRows.addAndGet(s.upserted());
        deletedRows.addAndGet(s.deleted());
        if (s.entries() == 0) {
          Mirroring.CaptureState st = link.state();
          pending.set(st.pending());
          lagMillis.set(st.oldest().map(Duration::toMillis).orElse(0L));
        } else {
          pending.set(s.pending());
          lagMillis.set(s.oldest().map(Duration::toMillis).orElse(0L));
        }
        if (lastError.getAndSet(null) != null) log.accept("mirror: recovered");
        backoff = FIRST_BACKOFF;
        // why: a batch that was not full took every entry its snapshot saw; the next one waits
        // for a poll's worth of writes instead of following at once with a handful of entries:
        // each batch costs both sides round trips and a commit whatever it carries, and on a
        // primary's own machine that CPU is the writers'. Behind (a full batch), no wait.
        wait = s.full() ? Duration.ZERO : idle;
        if (compareEvery != null
            && pending.get() == 0
            && !Duration.between(lastCompare, clock.instant()).minus(compareEvery).isNegative()) {
          lastCompare = clock.instant();
          compare();
        }
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        if (e instanceof FlowstoreException f && f.code() == ErrorCode.CONFIGURATION) {
          // why: not an outage, waiting will not mend it (no copy on the secondary, capture off,
          // another primary's secondary): stop and say so
          fatal = f;
          lastError.set(String.valueOf(f.getMessage()));
          return;
        }
        String message = String.valueOf(e.getMessage());
        if (!message.equals(lastError.getAndSet(message)))
          log.accept("mirror: batch failed, retrying with backoff: " + message);
        wait = backoff;
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(MAX_BACKOFF) > 0) backoff = MAX_BACKOFF;
      }
      if (!wait.isZero()) pause(wait);
    }
  }

  /**
   * Compares both sides; the result counts only when no change was logged meanwhile (the log is
   * still empty after it: nothing consumed it, this loop being the consumer), else the live writes
   * would show as differences.
   */
  private void compare() {
    BackendSwitch.Comparison c = BackendSwitch.find(from, to).compare(from, to, 0);
    compares.incrementAndGet();
    if (link.state().pending() != 0) return;
    long differing = c.tables().stream().filter(t -> !t.equal()).count();
    if (differing != divergentTables.getAndSet(differing) || differing > 0)
      log.accept("mirror: compare: " + differing + " differing tables");
  }

  private void pause(Duration d) {
    synchronized (wake) {
      if (stopped) return;
      try {
        wake.wait(Math.max(1, d.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
      }
    }
  }
}
