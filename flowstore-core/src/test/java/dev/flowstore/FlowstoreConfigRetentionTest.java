package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code JOB_RETENTION_HOURS} / {@code OUTBOX_RETENTION_HOURS}: 24 by default, 0 keeps forever. */
class FlowstoreConfigRetentionTest {
  private static final Map<String, String> MEMORY = Map.of("FLOWSTORE_STORE_BACKEND", "memory");

  @Test
  void retentionDefaultsToADayAndZeroKeepsForever() {
    FlowstoreConfig d = FlowstoreConfig.fromMap(MEMORY);
    assertThat(d.jobRetentionHours()).isEqualTo(24);
    assertThat(d.outboxRetentionHours()).isEqualTo(24);
    assertThat(d.jobRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(d.outboxRetention()).isEqualTo(Duration.ofHours(24));
    FlowstoreConfig c =
        FlowstoreConfig.builder()
            .set("FLOWSTORE_STORE_BACKEND", "memory")
            .set("JOB_RETENTION_HOURS", "0")
            .set("OUTBOX_RETENTION_HOURS", "72")
            .build();
    assertThat(c.jobRetention()).isNull();
    assertThat(c.outboxRetention()).isEqualTo(Duration.ofHours(72));
    assertThat(c.toBuilder().set("FLOWSTORE_HTTP_PORT", "0").build().outboxRetentionHours())
        .isEqualTo(72);
    assertThat(FlowstoreConfig.keys()).contains("JOB_RETENTION_HOURS", "OUTBOX_RETENTION_HOURS");
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
      assertThatThrownBy(
              () ->
                  FlowstoreConfig.fromMap(
                      Map.of(key, bad.getValue(), "FLOWSTORE_STORE_BACKEND", "memory")))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                assertThat(e.getMessage()).startsWith(key + ": must be");
              });
    }
  }
}
