package dev.flowstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidsTest {
  @Test
  void isAVersion7UuidCarryingTheCurrentMillisecond() {
    long before = System.currentTimeMillis();
    UUID id = Uuids.next();
    long after = System.currentTimeMillis();
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
  }

  @Test
  void idsAreDistinctAndOrderedByTheirMillisecond() {
    Set<UUID> seen = new HashSet<>();
    UUID previous = null;
    for (int i = 0; i < 100_000; i++) {
      UUID id = Uuids.next();
      assertThat(seen.add(id)).isTrue();
      if (previous != null)
        assertThat(id.getMostSignificantBits() >>> 16)
            .isGreaterThanOrEqualTo(previous.getMostSignificantBits() >>> 16);
      previous = id;
    }
  }
}
