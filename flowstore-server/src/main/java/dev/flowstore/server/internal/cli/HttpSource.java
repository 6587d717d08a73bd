package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A running flowstore server, over its JSON API (JDK {@link HttpClient}). The tenant is the API
 * key's; without a key (a server in dev mode) the {@code X-Tenant-Id} header names it. The server's
 * error body ({@code {"error": {"code", "message"}}}) becomes a {@code FlowstoreException} with the
 * same code; a server that cannot be reached is {@code BACKEND_UNAVAILABLE}.
 */
final class HttpSource implements OperatorSource {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String apiKey;
  private final String tenant;
  private final HttpClient http;

  /**
   * @param base the server's URL ({@code http://host:port}, maybe with a path prefix)
   * @param apiKey the tenant's API key, or null (a server in dev mode)
   * @param tenant sent as {@code X-Tenant-Id}, or null (the key's tenant, or {@code default})
   */
  HttpSource(URI base, String apiKey, String tenant) {
    this.base = base;
    this.apiKey = apiKey;
    this.tenant = tenant;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Checks {@code --url}: an absolute http(s) URL with a host; CONFIGURATION (exit 2) otherwise.
   */
  static URI parseUrl(String raw) {
    URI uri;
    try {
      uri = new URI(raw.strip());
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getQuery() != null
        || uri.getFragment() != null)
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "--url (FLOWSTORE_URL): must be the server's http:// or https:// URL, like"
              + " http://127.0.0.1:8080; got '"
              + raw
              + "'");
    String s = uri.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  @Override
  public String describe() {
    return "server " + base;
  }

  @Override
  public ObjectNode queues() {
    return get("/v1/queues");
  }

  @Override
  public ObjectNode job(UUID id) {
    return get("/v1/jobs/" + id);
  }

  @Override
  public ObjectNode dlqPage(String queue, UUID after, int limit) {
    StringBuilder q = new StringBuilder("/v1/dlq?limit=").append(limit);
    if (queue != null) q.append("&queue=").append(URLEncoder.encode(queue, StandardCharsets.UTF_8));
    if (after != null) q.append("&after=").append(after);
    return get(q.toString());
  }

  @Override
  public ObjectNode dlqItem(UUID id) {
    return get("/v1/dlq/" + id);
  }

  @Override
  public ObjectNode redrive(UUID id) {
    return send(
        "/v1/dlq/" + id + "/redrive", "POST", HttpRequest.BodyPublishers.ofString("{}"), true);
  }

  @Override
  public void purge(UUID id) {
    send("/v1/dlq/" + id, "DELETE", HttpRequest.BodyPublishers.noBody(), true);
  }

  @Override
  public ObjectNode session(UUID id) {
    return get("/v1/sessions/" + id);
  }

  @Override
  public ObjectNode sessionEvents(UUID id, long fromVersion, int limit) {
    return get("/v1/sessions/" + id + "/events?from_version=" + fromVersion + "&limit=" + limit);
  }

  @Override
  public ObjectNode steps(UUID session, int limit) {
    return get("/v1/sessions/" + session + "/steps?limit=" + limit);
  }

  @Override
  public ObjectNode checkpoints(UUID session, int limit) {
    return get("/v1/sessions/" + session + "/checkpoints?limit=" + limit);
  }

  @Override
  public ObjectNode resumeHandles(UUID session, int limit) {
    return get("/v1/resume-handles?session_id=" + session + "&limit=" + limit);
  }

  @Override
  public void close() {
    http.close();
  }

  private ObjectNode get(String path) {
    return send(path, "GET", HttpRequest.BodyPublishers.noBody(), false);
  }

  /** The JSON answer of a 2xx (null for 204); a FlowstoreException otherwise. */
  private ObjectNode send(
      String pathAndQuery, String method, HttpRequest.BodyPublisher body, boolean write) {
    URI uri = URI.create(base + pathAndQuery);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .header("User-Agent", "flowstore-cli")
            .method(method, body);
    if (write) request.header("Content-Type", "application/json");
    if (apiKey != null) request.header("Authorization", "Bearer " + apiKey);
    if (tenant != null) request.header("X-Tenant-Id", tenant);
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      if (write)
        throw new FlowstoreException(
            ErrorCode.OUTCOME_UNKNOWN,
            "the server at "
                + base
                + " did not answer "
                + method
                + " "
                + pathAndQuery
                + " within "
                + REQUEST_TIMEOUT.toSeconds()
                + " s: it may or may not have done it; look with 'flowstore jobs show ID'",
            e);
      throw unreachable(e);
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlowstoreException(ErrorCode.INTERNAL, "interrupted", e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      if (status == 204 || response.body().isEmpty()) return null;
      JsonNode json = parse(response.body());
      if (json instanceof ObjectNode o) return o;
      throw new FlowstoreException(
          ErrorCode.INTERNAL,
          "the server at " + base + " answered " + uri + " with no JSON object");
    }
    throw error(status, response.body());
  }

  private FlowstoreException unreachable(IOException e) {
    String why =
        e instanceof java.net.ConnectException
            ? "connection refused"
            : e instanceof java.net.http.HttpConnectTimeoutException
                ? "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new FlowstoreException(
        ErrorCode.BACKEND_UNAVAILABLE,
        "cannot reach the flowstore server at "
            + base
            + " ("
            + why
            + "): check that it is running and that --url (or FLOWSTORE_URL) is right",
        e);
  }

  /** The server's error body as its code; a non-flowstore answer (a proxy's page) by status. */
  private FlowstoreException error(int status, String body) {
    JsonNode error = parse(body).path("error");
    String code = error.path("code").asText("");
    String message = error.path("message").asText("");
    for (ErrorCode c : ErrorCode.values())
      if (c.name().equals(code)) return new FlowstoreException(c, message);
    ErrorCode byStatus =
        status == 502 || status == 503 || status == 504
            ? ErrorCode.BACKEND_UNAVAILABLE
            : ErrorCode.INTERNAL;
    return new FlowstoreException(
        byStatus,
        "the server at "
            + base
            + " answered HTTP "
            + status
            + (code.isEmpty() ? " without a flowstore error body" : " with error " + code)
            + (message.isEmpty() ? "" : ": " + message)
            + "; is --url a flowstore server?");
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return Json.MAPPER.missingNode();
    }
  }
}
