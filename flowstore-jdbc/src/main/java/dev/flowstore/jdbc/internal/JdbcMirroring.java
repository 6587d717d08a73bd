package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.spi.QueueBackend;
import java.util.Set;

/**
 * The mirror between SQL backends: {@link MirrorCapture}, {@link Mirror}; with the primary's queue
 * outside the store (the Redis queue), its change log too ({@link QueueMirror}); docs/mirror.md.
 */
public final class JdbcMirroring implements Mirroring {

  @Override
  public boolean handles(Flowstore from, Flowstore to) {
    return from instanceof JdbcFlowstore && to instanceof JdbcFlowstore;
  }

  @Override
  public void capture(Flowstore primary, boolean on) {
    JdbcFlowstore store = Snapshot.sql(primary, "primary");
    QueueBackend queue = store.queueBackend();
    if (on) {
      if (queue != null) queue.changes().capture(true, store.tenants());
      MirrorCapture.on(store);
    } else {
      MirrorCapture.off(store);
      if (queue != null) queue.changes().capture(false, store.tenants());
    }
  }

  @Override
  public CaptureState state(Flowstore primary) {
    JdbcFlowstore store = Snapshot.sql(primary, "primary");
    CaptureState s = MirrorCapture.state(store);
    QueueBackend queue = store.queueBackend();
    return queue == null ? s : QueueMirror.both(s, queue.changes().state(store.tenants()));
  }

  @Override
  public Link link(Flowstore from, Flowstore to, int batchSize) {
    JdbcFlowstore source = Snapshot.sql(from, "primary");
    JdbcFlowstore target = Snapshot.sql(to, "secondary");
    QueueBackend queue = source.queueBackend();
    QueueBackend targetQueue = target.queueBackend();
    if (queue != null && targetQueue != null)
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "both queues are on Redis ("
              + queue.describe()
              + " -> "
              + targetQueue.describe()
              + "): the mirror carries a Redis queue into a SQL queue, or a SQL queue into a"
              + " Redis queue, not Redis into Redis (docs/mirror.md, \"The Redis queue\")");
    if (targetQueue != null)
      return new Mirror(source, target, batchSize, Set.of(), targetQueue.contents());
    if (queue == null) return new Mirror(source, target, batchSize, Set.of(), null);
    return new QueueMirror(
        new Mirror(source, target, batchSize, Mirror.QUEUE_TABLES, null),
        source,
        queue.changes(),
        new JdbcQueueContents(target),
        batchSize);
  }
}
