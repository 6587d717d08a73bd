package dev.flowstore.server.internal.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One endpoint of the API.
 *
 * @param path in Javalin and OpenAPI syntax alike ({@code /v1/streams/{stream}/events})
 */
public record Route(HandlerType method, String path, Handler handler) {
  /** {@code "GET /v1/events"}: how routes are compared with the OpenAPI document. */
  public String signature() {
    return method.name() + " " + path;
  }
}
