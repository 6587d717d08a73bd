package dev.flowstore.jdbc.internal;

import dev.flowstore.Flowstore;
import dev.flowstore.spi.BackendSwitch;
import java.time.Clock;
import java.util.function.Consumer;

/** Copy and compare between SQL backends: {@link BackendCopy}, {@link BackendCompare}. */
public final class JdbcBackendSwitch implements BackendSwitch {
  @Override
  public boolean handles(Flowstore a, Flowstore b) {
    return a instanceof JdbcFlowstore && b instanceof JdbcFlowstore;
  }

  @Override
  public CopySummary copy(
      Flowstore from,
      Flowstore to,
      CopyOptions options,
      Consumer<CopyProgress> progress,
      Clock clock) {
    return BackendCopy.copy(from, to, options, progress, clock);
  }

  @Override
  public Comparison compare(Flowstore a, Flowstore b, int maxDifferences) {
    return BackendCompare.compare(a, b, maxDifferences);
  }
}
