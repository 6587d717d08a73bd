package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few HTTP calls a scenario makes, over a real socket to {@code flowstore serve}. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: the status and the JSON body (MissingNode when there is none). */
  record Resp(int status, JsonNode body) {
    boolean ok() {
      return status >= 200 && status <= 299;
    }

    /** The error code of an error answer, e.g. LEASE_LOST; "" when none. */
    String code() {
      return body.path("error").path("code").asText("");
    }

    /** An answer a retry may change: the server or its database was not there. */
    boolean transientFailure() {
      return status >= 500 || code().equals("IDEMPOTENCY_IN_PROGRESS");
    }
  }

  private final HttpClient client;

  Http() {
    // why: HTTP/1.1 and a fresh connection pool per client; a killed server's sockets just fail
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  Resp post(URI base, String path, Object body, String idempotencyKey) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
    return send(b.build());
  }

  Resp get(URI base, String path) throws IOException {
    return send(
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15)).GET().build());
  }

  private Resp send(HttpRequest request) throws IOException {
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = r.body().length == 0 ? MissingNode.getInstance() : parse(r.body());
      return new Resp(r.statusCode(), body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }
}
