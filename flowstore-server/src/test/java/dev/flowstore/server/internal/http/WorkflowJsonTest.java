package dev.flowstore.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The wire form of a session, beyond what the HTTP contract tests reach. */
class WorkflowJsonTest {
  /**
   * openapi.yaml declares a session's status as {@code enum: [active, completed, failed, abandoned,
   * expired]}: the same on a server whose default locale lower-cases {@code I} to a dotless {@code
   * ı} (Turkish), where {@code "FAILED".toLowerCase()} is {@code "faıled"}.
   */
  @Test
  void theStatusIsTheDocumentedLowerCaseNameWhateverTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      List<String> statuses =
          Arrays.stream(SessionStatus.values())
              .map(s -> WorkflowJson.session(session(s)).get("status").asText())
              .toList();
      assertThat(statuses).containsExactly("active", "completed", "failed", "abandoned", "expired");
    } finally {
      Locale.setDefault(before);
    }
  }

  private static Session session(SessionStatus status) {
    Instant at = Instant.parse("2024-01-02T03:04:05Z");
    JsonNodeFactory json = JsonNodeFactory.instance;
    return new Session(
        new UUID(0, 1),
        null,
        null,
        status,
        "start",
        null,
        json.objectNode(),
        json.objectNode(),
        json.objectNode(),
        null,
        null,
        0,
        at,
        at,
        status.isFinal() ? at : null,
        null,
        null);
  }
}
