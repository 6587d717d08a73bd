package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback drill (docs/runbook.md) at its smallest, in {@code ./mvnw verify}: PostgreSQL +
 * Redis queue under load (servers started through the packaged launcher) -> SQLite -> PostgreSQL +
 * Redis, every check passing. The CLI commands run in this JVM here ({@code ./drill} runs them
 * through the launcher).
 */
class DrillTest {
  @Test
  void theRollbackAndTheWayForwardKeepEveryAcknowledgedWrite(@TempDir Path work) throws Exception {
    Drill.Result r =
        Drill.run(
            new Drill.Sizes(2_000, 300, 300, 2, 2, false),
            TestBackends.postgresDsn(),
            TestBackends.redisDsn(),
            work,
            System.out);
    assertThat(r.ok()).as(String.join("\n", r.lines())).isTrue();
    assertThat(r.lines())
        .anyMatch(l -> l.contains("rollback: copy") && l.startsWith("ok"))
        .anyMatch(l -> l.contains("forward: compare") && l.startsWith("ok"))
        .anyMatch(l -> l.startsWith("ok     jobs: "))
        .anyMatch(l -> l.endsWith("PASSED"));
  }
}
