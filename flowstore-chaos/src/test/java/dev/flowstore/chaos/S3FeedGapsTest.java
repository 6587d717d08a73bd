package dev.flowstore.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.RecordedEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3FeedGapsTest {
  @Test
  void everyCheckHoldsAtCiSize(@TempDir Path work) throws Exception {
    List<Figure> figures = new S3FeedGaps().run(ChaosTestSettings.ci(work));
    assertThat(figures).isNotEmpty();
    assertThat(figures).allSatisfy(f -> assertThat(f.ok()).as(f.toString()).isTrue());
  }

  private static RecordedEvent event(UUID id, long position) {
    return new RecordedEvent(
        id,
        "order-1",
        position - 1,
        position,
        "t",
        JsonNodeFactory.instance.objectNode(),
        JsonNodeFactory.instance.objectNode(),
        Instant.now());
  }

  @Test
  void theCheckerCatchesSkippedDuplicatedAndRolledBackEvents() {
    UUID a = UUID.randomUUID(), b = UUID.randomUUID(), c = UUID.randomUUID();
    UUID gone = UUID.randomUUID();
    Map<UUID, Long> committed = Map.of(a, 1L, b, 2L, c, 3L);
    Map<UUID, String> categories = Map.of(a, "order", b, "order", c, "order");
    S3FeedGaps.Seen clean = new S3FeedGaps.Seen(null, 1000);
    for (UUID id : List.of(a, b, c)) clean.add(event(id, committed.get(id)));
    S3FeedGaps.Seen broken = new S3FeedGaps.Seen(null, 1000);
    broken.add(event(a, 1));
    broken.add(event(c, 3)); // b skipped
    broken.add(event(c, 3)); // c twice
    broken.add(event(gone, 4)); // a rolled-back event
    S3FeedGaps s3 = new S3FeedGaps();

    Figure ok =
        s3.check("t", committed, categories, Set.of(gone), List.of(clean), 3, 0, 0, List.of(), 1);
    Figure bad =
        s3.check("t", committed, categories, Set.of(gone), List.of(broken), 3, 0, 0, List.of(), 1);

    assertThat(ok.ok()).as(ok.result()).isTrue();
    assertThat(bad.ok()).isFalse();
    assertThat(bad.result()).contains("skipped 1", "seen twice 1", "rolled-back seen 1");
  }
}
