package dev.flowstore.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small HTTP client for tests: real requests to a server on this machine. */
final class Http {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final Map<String, String> defaults = new LinkedHashMap<>();

  Http(URI base) {
    this.base = base;
  }

  /** A client that sends {@code name: value} on every request. */
  Http with(String name, String value) {
    Http copy = new Http(base);
    copy.defaults.putAll(defaults);
    copy.defaults.put(name, value);
    return copy;
  }

  Response get(String path, String... headers) {
    return send("GET", path, (byte[]) null, headers);
  }

  Response post(String path, String body, String... headers) {
    return send("POST", path, body, headers);
  }

  Response put(String path, String body, String... headers) {
    return send("PUT", path, body, headers);
  }

  Response send(String method, String path, String body, String... headers) {
    return send(
        method,
        path,
        body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        headers);
  }

  Response send(String method, String path, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) b.header("Content-Type", "application/json");
    defaults.forEach(b::header);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(
          r.statusCode(),
          r.headers().firstValue("X-Trace-Id").orElse(null),
          r.headers().firstValue("Content-Type").orElse(""),
          r.body(),
          r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Response delete(String path, String... headers) {
    return send("DELETE", path, (byte[]) null, headers);
  }

  record Response(
      int status,
      String traceId,
      String contentType,
      String text,
      java.net.http.HttpHeaders headers) {
    /** The first value of a response header, or null. */
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    JsonNode json() {
      return Json.parse("response", text);
    }

    /** The error code of an error response. */
    String code() {
      return json().path("error").path("code").asText();
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }
}
