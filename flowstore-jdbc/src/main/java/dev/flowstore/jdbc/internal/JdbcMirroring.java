package dev.flowstore.jdbc.internal;

import dev.flowstore.Flowstore;
import dev.flowstore.spi.Mirroring;

/** The mirror between SQL backends: {@link MirrorCapture}, {@link Mirror}; docs/mirror.md. */
public final class JdbcMirroring implements Mirroring {
  @Override
  public boolean handles(Flowstore from, Flowstore to) {
    return from instanceof JdbcFlowstore && to instanceof JdbcFlowstore;
  }

  @Override
  public void capture(Flowstore primary, boolean on) {
    JdbcFlowstore store = Snapshot.sql(primary, "primary");
    if (on) MirrorCapture.on(store);
    else MirrorCapture.off(store);
  }

  @Override
  public CaptureState state(Flowstore primary) {
    return MirrorCapture.state(Snapshot.sql(primary, "primary"));
  }

  @Override
  public Link link(Flowstore from, Flowstore to, int batchSize) {
    return new Mirror(Snapshot.sql(from, "primary"), Snapshot.sql(to, "secondary"), batchSize);
  }
}
