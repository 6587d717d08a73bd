package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S6SqliteKillsTest {
  @Test
  void everyCheckHoldsAtCiSize(@TempDir Path work) throws Exception {
    List<Figure> figures = new S6SqliteKills().run(ChaosTestSettings.ci(work));
    assertThat(figures).isNotEmpty();
    assertThat(figures).allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue());
  }
}
