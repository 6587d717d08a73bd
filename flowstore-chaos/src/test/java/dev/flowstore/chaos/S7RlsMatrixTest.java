package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario 7 at CI size against the PostgreSQL of POSTGRES_DSN: every figure must hold. */
class S7RlsMatrixTest {
  @Test
  void noTenantScopeSeesOrWritesAnotherTenantsRows(@TempDir Path work) throws Exception {
    List<Figure> figures = new S7RlsMatrix().run(ChaosTestSettings.ci(work));
    System.out.print(Chaos.table(figures));
    // coverage + select, insert, update, delete
    assertThat(figures).hasSize(5);
    assertThat(figures).allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue());
    assertThat(figures.get(1).result()).startsWith("cross-tenant rows seen 0 ");
    for (Figure f : figures.subList(2, 5))
      assertThat(f.result()).startsWith("wrong writes accepted 0 ");
  }
}
