package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code JOB_RETENTION_HOURS} / {@code OUTBOX_RETENTION_HOURS}: 24 by default, 0 keeps forever. */
class FlowstoreConfigRetentionTest {
  @Test
  void retentionDefaultsToADayAndZeroKeepsForever() {
    FlowstoreConfig d = FlowstoreConfig.fromMap(Map.of());
    assertThat(d.jobRetentionHours()).isEqualTo(24);
    assertThat(d.outboxRetentionHours()).isEqualTo(24);
    assertThat(d.jobRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(d.outboxRetention()).isEqualTo(Duration.ofHours(24));
    FlowstoreConfig c =
        FlowstoreConfig.fromMap(Map.of("JOB_RETENTION_HOURS", "0", "OUTBOX_RETENTION_HOURS", "72"));
    assertThat(c.jobRetention()).isNull();
    assertThat(c.outboxRetention()).isEqualTo(Duration.ofHours(72));
    assertThat(c.withHttpPort(0).outboxRetentionHours()).isEqualTo(72);
    assertThat(FlowstoreConfig.KEYS).contains("JOB_RETENTION_HOURS", "OUTBOX_RETENTION_HOURS");
  }

  @Test
  void aBadRetentionNamesItsKey() {
    for (var bad :
        Map.of(
                "JOB_RETENTION_HOURS", "-1",
                "OUTBOX_RETENTION_HOURS", "a day",
                "JOB_RETENTION_HOURS ", "87601")
            .entrySet()) {
      String key = bad.getKey().trim();
      assertThatThrownBy(() -> FlowstoreConfig.fromMap(Map.of(key, bad.getValue())))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                assertThat(e.getMessage()).startsWith(key + ": must be");
              });
    }
  }
}
