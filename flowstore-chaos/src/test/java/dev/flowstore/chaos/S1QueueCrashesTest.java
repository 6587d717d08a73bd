package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the scenario at its CI size against real servers and databases; every figure must hold. */
class S1QueueCrashesTest {
  @Test
  void everyFigureHolds(@TempDir Path dir) throws Exception {
    ChaosTestSettings.requirePrivateServers();
    List<Figure> figures = new S1QueueCrashes().run(ChaosTestSettings.ci(dir));
    System.out.print(Chaos.table(figures));
    assertThat(figures).isNotEmpty();
    assertThat(figures).allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue());
  }
}
