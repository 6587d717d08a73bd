package dev.flowstore.jdbc.internal;

import dev.flowstore.Flowstore;
import dev.flowstore.spi.BackendSwitch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Copy and compare between SQL backends: {@link BackendCopy}, {@link BackendCompare}; and, when
 * either side keeps its queue outside the store (a Redis queue), the queue's part beside them:
 * {@link QueueSwitch}.
 */
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
    if (!(from instanceof JdbcFlowstore source && to instanceof JdbcFlowstore target)
        || !QueueSwitch.involved(source, target))
      return BackendCopy.copy(from, to, options, progress, clock);
    java.time.Instant start = clock.instant();
    QueueSwitch.checkTarget(source, target, options);
    CopySummary s = BackendCopy.copy(from, to, options, progress, clock);
    QueueSwitch.Result q =
        QueueSwitch.copy(source, target, options, progress, s.total(), s.total());
    List<String> warnings = new ArrayList<>(s.warnings());
    warnings.addAll(q.warnings());
    return new CopySummary(
        s.rows() + q.rows(),
        s.total() + q.total(),
        s.tables() + (q.total() > 0 ? 1 : 0),
        s.tenants(),
        s.alreadyComplete() && q.alreadyComplete(),
        Duration.between(start, clock.instant()),
        warnings);
  }

  @Override
  public Comparison compare(Flowstore a, Flowstore b, int maxDifferences) {
    Comparison c = BackendCompare.compare(a, b, maxDifferences);
    if (!(a instanceof JdbcFlowstore x && b instanceof JdbcFlowstore y)
        || !QueueSwitch.involved(x, y)) return c;
    List<TableComparison> tables = new ArrayList<>();
    for (TableComparison t : c.tables())
      if (!t.table().equals("jobs") && !t.table().equals("job_attempts")) tables.add(t);
    tables.addAll(QueueSwitch.compare(x, y, maxDifferences));
    return new Comparison(c.a(), c.b(), tables, c.warnings());
  }
}
