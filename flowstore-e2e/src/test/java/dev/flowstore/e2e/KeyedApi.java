package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP API as one of several API keys calls it: the browser tests' setup and checks. */
final class KeyedApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;

  KeyedApi(URI base) {
    this.base = base;
  }

  /** Enqueues a one-attempt job and fails it: it lands in the DLQ. */
  String deadLetter(String key, String queue, String type) throws Exception {
    call(
        "POST",
        "/v1/queues/" + queue + "/jobs",
        key,
        "{\"job_type\":\"" + type + "\",\"payload\":{\"customer\":\"c-7\"},\"max_attempts\":1}",
        201);
    JsonNode lease =
        call(
                "POST",
                "/v1/queues/" + queue + "/leases",
                key,
                "{\"max\":1,\"visibility_timeout_s\":60}",
                200)
            .get("leases")
            .get(0);
    String id = lease.get("job_id").asText();
    call(
        "POST",
        "/v1/jobs/" + id + "/nack",
        key,
        "{\"lease_token\":"
            + lease.get("lease_token").asLong()
            + ",\"error\":\"SMTP 550: mailbox unavailable\"}",
        200);
    return id;
  }

  JsonNode call(String method, String path, String key, String body, int expected)
      throws Exception {
    HttpResponse<String> r = send(method, path, key, body);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (key != null) b.header("Authorization", "Bearer " + key);
    b.header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
