package dev.flowstore.server.internal.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.flowstore.Flowstore;
import java.util.List;

/**
 * The route table: every endpoint the server serves, in one place, so the OpenAPI document can be
 * checked against it. Building it touches neither the store nor the network.
 */
public final class Routes {
  private Routes() {}

  public static List<Route> table(Flowstore flowstore, RequestScope scope) {
    EventsEndpoints events = new EventsEndpoints(flowstore, scope);
    FlowsEndpoints flows = new FlowsEndpoints(flowstore, scope);
    SessionsEndpoints sessions = new SessionsEndpoints(flowstore, scope);
    HealthEndpoints health = new HealthEndpoints(flowstore);
    return List.of(
        new Route(POST, "/v1/streams/{stream}/events", events::append),
        new Route(GET, "/v1/streams/{stream}/events", events::readStream),
        new Route(GET, "/v1/events", events::readAll),
        new Route(POST, "/v1/flows", flows::register),
        new Route(GET, "/v1/flows", flows::list),
        new Route(GET, "/v1/flows/{flow_id}", flows::get),
        new Route(POST, "/v1/sessions", sessions::create),
        new Route(GET, "/v1/sessions", sessions::list),
        new Route(GET, "/v1/sessions/{session_id}", sessions::get),
        new Route(POST, "/v1/sessions/{session_id}/transitions", sessions::change),
        new Route(GET, "/v1/sessions/{session_id}/events", sessions::history),
        new Route(GET, "/health/live", health::live),
        new Route(GET, "/health/ready", health::ready),
        new Route(GET, "/openapi.yaml", OpenApiDocument::serve));
  }
}
