package dev.flowstore.jdbc.internal;

import dev.flowstore.spi.Mirroring;
import dev.flowstore.spi.Mirroring.CaptureState;
import dev.flowstore.spi.QueueChanges;
import dev.flowstore.spi.QueueContents.StoredJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The mirror of a primary whose queue is outside its SQL store (the Redis queue) into a secondary
 * on the SQL queue (docs/mirror.md, "The Redis queue"). A batch carries the queue's logged jobs
 * first — per tenant, the jobs' state read in one atomic step of the queue, written in one
 * transaction of the secondary ({@link JdbcQueueContents#replace}), then dropped from the queue's
 * log — and then the store's changes ({@link Mirror}, which leaves the store's own {@code jobs}
 * rows out). why the queue first: a DLQ item the store writes names a job the queue moved to the
 * DLQ before, so by the time the store's snapshot shows the item, its job has been logged by the
 * queue, and the item's foreign key finds the job on the secondary (when the queue is a batch or
 * more behind, the item's batch fails and is retried after the queue's catches up).
 */
final class QueueMirror implements Mirroring.Link {
  private final Mirror store;
  private final JdbcFlowstore source;
  private final QueueChanges queue;
  private final JdbcQueueContents target;
  private final int batchSize;

  QueueMirror(
      Mirror store,
      JdbcFlowstore source,
      QueueChanges queue,
      JdbcQueueContents target,
      int batchSize) {
    this.store = store;
    this.source = source;
    this.queue = queue;
    this.target = target;
    this.batchSize = batchSize;
  }

  @Override
  public Mirroring.Step step() {
    return MirrorLock.around(target.store(), this::stepLocked);
  }

  private Mirroring.Step stepLocked() {
    store.check();
    int entries = 0;
    int upserted = 0;
    int deleted = 0;
    // the queue's tenants are the store's: a queue outside it registers a tenant there first
    List<dev.flowstore.TenantId> tenants = source.tenants();
    for (QueueChanges.Batch b : queue.take(batchSize, tenants)) {
      List<StoredJob> current = new ArrayList<>();
      List<UUID> gone = new ArrayList<>();
      for (QueueChanges.Change c : b.changes())
        if (c.current() == null) gone.add(c.jobId());
        else current.add(c.current());
      int[] r = target.replace(b.tenant(), current, gone);
      queue.done(b);
      entries += b.changes().size();
      upserted += r[0];
      deleted += r[1];
    }
    Mirroring.Step s = store.stepLocked();
    CaptureState q = entries == 0 ? null : queue.state(tenants);
    long pending = s.pending() + (q == null ? 0 : q.pending());
    return new Mirroring.Step(
        s.entries() + entries,
        s.upserted() + upserted,
        s.deleted() + deleted,
        pending,
        q == null ? s.oldest() : older(s.oldest(), q.oldest()),
        s.full() || entries >= batchSize);
  }

  @Override
  public CaptureState state() {
    return both(store.state(), queue.state(source.tenants()));
  }

  /** The store's and the queue's capture as one: on when both are, their lags added. */
  static CaptureState both(CaptureState store, CaptureState queue) {
    return new CaptureState(
        store.on() && queue.on(),
        store.pending() + queue.pending(),
        older(store.oldest(), queue.oldest()));
  }

  private static Optional<Duration> older(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) return b;
    if (b.isEmpty()) return a;
    return a.get().compareTo(b.get()) >= 0 ? a : b;
  }
}
