package dev.flowstore.chaos;

import java.util.List;

/** The scenarios of {@code ./chaos}; add a new one here. */
final class Scenarios {
  private Scenarios() {}

  static final List<Scenario> ALL =
      List.of(
          new S1QueueCrashes(),
          new S2ManyInstances(),
          new S3FeedGaps(),
          new S4OutboxExactlyOnce(),
          new S5AmbiguousCommit(),
          new S6SqliteKills(),
          new S7RlsMatrix(),
          new S8HttpFuzz());
}
