package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's HTTP API as a client sees it (java.net.http, nothing of flowstore's code). Every
 * request names its operation as OpenAPI does, method and path template ({@code GET
 * /v1/flows/{flow_id}}), and the request path is built from that template, so the {@link Coverage}
 * it records is what was actually sent.
 */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARAM = Pattern.compile("\\{[^}]+}");

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final Coverage coverage;
  private final Map<String, String> defaults = new LinkedHashMap<>();

  Api(URI base, Coverage coverage) {
    this.base = base;
    this.coverage = coverage;
  }

  /** A client that sends {@code name: value} on every request. */
  Api with(String name, String value) {
    Api copy = new Api(base, coverage);
    copy.defaults.putAll(defaults);
    copy.defaults.put(name, value);
    return copy;
  }

  /** A request of operation {@code method template}, its path parameters in template order. */
  Request op(String method, String template, Object... pathParams) {
    coverage.requireKnown(method, template);
    StringBuilder path = new StringBuilder();
    Matcher m = PARAM.matcher(template);
    int i = 0;
    while (m.find()) {
      if (i >= pathParams.length) throw new IllegalArgumentException("too few params: " + template);
      m.appendReplacement(path, Matcher.quoteReplacement(encode(pathParams[i++].toString())));
    }
    m.appendTail(path);
    if (i != pathParams.length) throw new IllegalArgumentException("too many params: " + template);
    return new Request(method, template, path.toString());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  final class Request {
    private final String method;
    private final String template;
    private final String path;
    private String query = "";
    private String body;
    private final Map<String, String> headers = new LinkedHashMap<>(defaults);

    private Request(String method, String template, String path) {
      this.method = method;
      this.template = template;
      this.path = path;
    }

    /** {@code a=1&b=2}, already encoded. */
    Request query(String query) {
      this.query = "?" + query;
      return this;
    }

    Request body(String json) {
      this.body = json;
      return this;
    }

    Request header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Response send() {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base.resolve(path + query)).timeout(Duration.ofSeconds(30));
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (body != null) b.header("Content-Type", "application/json");
      headers.forEach(b::header);
      try {
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Response response =
            new Response(method + " " + path + query, r.statusCode(), r.headers(), r.body());
        coverage.record(method, template, response);
        return response;
      } catch (IOException e) {
        throw new UncheckedIOException(method + " " + path + query, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Sends, asserts the status, and returns the JSON body (null for an empty one). */
    JsonNode expect(int status) {
      Response r = send();
      assertThat(r.status()).as(r.toString()).isEqualTo(status);
      assertThat(r.traceId()).as("X-Trace-Id of " + r.request()).isNotBlank();
      return r.body().isEmpty() ? null : r.json();
    }

    /** Sends and asserts the error body: {"error": {"code", "message", "trace_id"}}. */
    JsonNode expectError(int status, String code) {
      Response r = send();
      assertError(r, status, code);
      return r.json().get("error");
    }
  }

  static void assertError(Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.contentType()).as(r.toString()).startsWith("application/json");
    JsonNode error = r.json().get("error");
    assertThat(error).as(r.toString()).isNotNull();
    assertThat(error.path("code").asText()).as(r.toString()).isEqualTo(code);
    assertThat(error.path("message").asText()).as(r.toString()).isNotBlank();
    assertThat(error.path("trace_id").asText()).as(r.toString()).isEqualTo(r.traceId());
    assertThat(r.traceId()).isNotBlank();
  }

  record Response(String request, int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    String traceId() {
      return headers.firstValue("X-Trace-Id").orElse(null);
    }

    String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }

    @Override
    public String toString() {
      String shown = body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
      return request
          + " -> "
          + status
          + " "
          + contentType()
          + " "
          + (shown.isEmpty() ? "(empty body)" : shown);
    }
  }
}
