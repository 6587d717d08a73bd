package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} scraped over HTTP, on SQLite with the Redis queue and the Redis session
 * cache (Redis database 7 of its own), so the store's counters are there.
 */
class MetricsHttpTest extends ServerTestBase {
  private static final int DB = 7;
  @TempDir static Path dir;

  @Override
  FlowstoreConfig newConfig(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    m.put("FLOWSTORE_CACHE", "redis");
    m.put("REDIS_DSN", TestBackends.redisDsn(DB));
    return TestStores.sqlite(dir, m);
  }

  @AfterAll
  void dropKeys() {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches("flowstore:*").limit(1000));
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }

  /** The value of the one sample of {@code metric} whose labels contain all of {@code labels}. */
  private static double sample(String scrape, String metric, String... labels) {
    double found = Double.NaN;
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{.*})? (\\S+)$").matcher(scrape);
    while (m.find()) {
      String l = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String label : labels) all &= l.contains(label);
      if (all) {
        assertThat(found)
            .as("one sample of " + metric + " with " + String.join(",", labels))
            .isNaN();
        found = Double.parseDouble(m.group(2));
      }
    }
    assertThat(found).as(metric + " " + String.join(",", labels) + " in\n" + scrape).isNotNaN();
    return found;
  }

  @Test
  void scrapeShowsJvmHttpRequestsByRouteTemplateAndTheStoresCounters() {
    Http t = tenant(unique("m"));
    Http.Response created = t.post("/v1/sessions", "{}");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().get("session_id").asText();
    assertThat(t.get("/v1/sessions/" + id).status()).isEqualTo(200);
    assertThat(t.get("/v1/sessions/" + id).status()).isEqualTo(200);
    assertThat(t.get("/no/such/path").status()).isEqualTo(404);

    Http.Response scrape = http.get("/metrics");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.contentType()).startsWith("text/plain");
    String text = scrape.text();
    assertThat(
            sample(
                text,
                "http_server_requests_seconds_count",
                "method=\"GET\"",
                "route=\"/v1/sessions/{session_id}\"",
                "status=\"200\""))
        .isEqualTo(2.0);
    assertThat(
            sample(
                text,
                "http_server_requests_seconds_count",
                "method=\"POST\"",
                "route=\"/v1/sessions\"",
                "status=\"201\""))
        .isEqualTo(1.0);
    assertThat(sample(text, "http_server_requests_seconds_count", "route=\"unmatched\""))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(text).doesNotContain("route=\"/v1/sessions/" + id);
    assertThat(sample(text, "flowstore_cache_misses_total")).isGreaterThanOrEqualTo(1.0);
    assertThat(sample(text, "flowstore_cache_hits_total")).isGreaterThanOrEqualTo(1.0);
    assertThat(sample(text, "flowstore_cache_invalidation_failures_total")).isZero();
    assertThat(sample(text, "flowstore_redis_queue_data_loss_detections_total")).isZero();
    assertThat(sample(text, "jvm_threads_live_threads")).isPositive();
    assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"");
  }
}
