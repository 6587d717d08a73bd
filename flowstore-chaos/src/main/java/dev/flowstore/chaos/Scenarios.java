package dev.flowstore.chaos;

import java.util.List;

/** The scenarios of {@code ./chaos}; add a new one here. */
final class Scenarios {
  private Scenarios() {}

  static final List<Scenario> ALL =
      List.of(
          new S3FeedGaps(),
          new S5AmbiguousCommit(),
          new S6SqliteKills(),
          new S7RlsMatrix(),
          new S8HttpFuzz());
}
