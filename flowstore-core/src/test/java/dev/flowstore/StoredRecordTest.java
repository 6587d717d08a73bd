package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A record read by a store keeps its data as the JSON text read until it is used. */
class StoredRecordTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  private static StoredRecord lazy(String json) {
    return StoredRecord.lazy("tickets", "T1", json, 3, null, null, AT, AT);
  }

  @Test
  void theTextReadIsPassedOnUnparsedUntilTheDataIsUsed() {
    // the text as PostgreSQL's jsonb prints it: not what Jackson would write
    StoredRecord r = lazy("{\"a\": 1, \"b\": [true, null]}");
    assertThat(r.dataJson()).isEqualTo("{\"a\": 1, \"b\": [true, null]}");
    ObjectNode data = r.data();
    assertThat(data.get("a").intValue()).isEqualTo(1);
    assertThat(r.data()).isSameAs(data);
    data.put("c", "x");
    assertThat(r.dataJson()).isEqualTo("{\"a\":1,\"b\":[true,null],\"c\":\"x\"}");
  }

  @Test
  void aLazyRecordEqualsTheSameRecordMadeFromATree() {
    StoredRecord tree =
        new StoredRecord(
            "tickets", "T1", Json.parseObject("data", "{\"a\":1}"), 3, null, null, AT, AT);
    assertThat(lazy("{\"a\": 1}")).isEqualTo(tree).hasSameHashCodeAs(tree);
    assertThat(lazy("{\"a\": 2}")).isNotEqualTo(tree);
    assertThat(lazy("{\"a\": 1}").toString()).contains("id=T1", "data={\"a\":1}", "version=3");
  }

  @Test
  void storedTextThatIsNotAnObjectFailsWhenUsed() {
    StoredRecord r = lazy("[1]");
    assertThatThrownBy(r::data)
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INTERNAL);
  }
}
