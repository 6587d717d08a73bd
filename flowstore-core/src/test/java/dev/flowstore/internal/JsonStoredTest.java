package dev.flowstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import org.junit.jupiter.api.Test;

/** Reading stored JSON back gives the same tree, node types included, as the checked parse. */
class JsonStoredTest {
  @Test
  void storedJsonReadsBackAsTheSameTreeAsTheCheckedParse() {
    String[] texts = {
      "{}",
      "{\"order_id\":12345,\"amount\":42.5,\"currency\":\"EUR\",\"note\":\"benchmark payload\"}",
      "{\"a\":[1,2.50,-3e2,\"x\",true,false,null,{\"b\":[]},[[]]],\"c\":{\"d\":{\"e\":\"\\u00e9\\n\"}}}",
      "{\"int\":2147483647,\"long\":2147483648,\"big\":123456789012345678901234567890,"
          + "\"neg\":-9223372036854775809,\"exact\":0.1000000000000000000001,\"zero\":0.0}",
      "{\"emoji\":\"\\ud83d\\ude00\",\"quote\":\"a\\\"b\",\"k\":null}",
      "{\"raw\":\"caf\u00e9 \ud83d\ude00 \u4e2d\"}"
    };
    for (String text : texts) {
      var checked = Json.parseObject("x", text);
      var stored = Json.stored("x", text);
      assertThat(stored).as(text).isEqualTo(checked);
      assertThat(Json.write(stored)).as(text).isEqualTo(Json.write(checked));
      var fromBytes = Json.stored("x", text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(fromBytes).as(text).isEqualTo(checked);
      assertThat(Json.write(fromBytes)).as(text).isEqualTo(Json.write(checked));
    }
    assertThat(Json.stored("x", "{\"n\":1}").get("n").isInt()).isTrue();
    assertThat(Json.stored("x", "{\"n\":4294967296}").get("n").isLong()).isTrue();
    assertThat(Json.stored("x", "{\"n\":2.50}").get("n").decimalValue().scale()).isEqualTo(2);
  }

  @Test
  void anythingButAStoredObjectIsAnInternalError() {
    for (String bad : new String[] {"[1]", "12", "{\"a\":", ""}) {
      assertThatThrownBy(() -> Json.stored("stored payload", bad))
          .isInstanceOf(FlowstoreException.class)
          .extracting(e -> ((FlowstoreException) e).code())
          .isEqualTo(ErrorCode.INTERNAL);
      assertThatThrownBy(
              () ->
                  Json.stored(
                      "stored payload", bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .isInstanceOf(FlowstoreException.class)
          .extracting(e -> ((FlowstoreException) e).code())
          .isEqualTo(ErrorCode.INTERNAL);
    }
  }
}
