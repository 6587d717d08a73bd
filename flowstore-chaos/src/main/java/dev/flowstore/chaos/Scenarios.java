package dev.flowstore.chaos;

import java.util.List;

/** The scenarios of {@code ./chaos}; add a new one here. */
final class Scenarios {
  private Scenarios() {}

  static final List<Scenario> ALL =
      List.of(
          new S3FeedGaps(), // h7
          new S5AmbiguousCommit(), // h7
          new S6SqliteKills(), // h7
          new S8HttpFuzz() // h7
          );
}
