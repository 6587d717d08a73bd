package dev.flowstore.server.internal.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.PATCH;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import dev.flowstore.Flowstore;
import java.util.List;

/**
 * The route table: every endpoint the server serves, in one place, so the OpenAPI document can be
 * checked against it. Every POST under {@code /v1} goes through {@link IdempotentPosts} (the {@code
 * Idempotency-Key} header). Building it touches neither the store nor the network.
 */
public final class Routes {
  private Routes() {}

  /**
   * @param metrics served at {@code /metrics}; null only where the table is inspected, not served
   */
  public static List<Route> table(Flowstore flowstore, RequestScope scope, ServerMetrics metrics) {
    EventsEndpoints events = new EventsEndpoints(flowstore, scope);
    FlowsEndpoints flows = new FlowsEndpoints(flowstore, scope);
    SessionsEndpoints sessions = new SessionsEndpoints(flowstore, scope);
    StepsEndpoints steps = new StepsEndpoints(flowstore, scope);
    CheckpointsEndpoints checkpoints = new CheckpointsEndpoints(flowstore, scope);
    NodesEndpoints nodes = new NodesEndpoints(flowstore, scope);
    TasksEndpoints tasks = new TasksEndpoints(flowstore, scope);
    ResumeHandlesEndpoints handles = new ResumeHandlesEndpoints(flowstore, scope);
    CommandsEndpoints commands = new CommandsEndpoints(flowstore, scope);
    QueueEndpoints queues = new QueueEndpoints(flowstore, scope, metrics);
    DlqEndpoints dlq = new DlqEndpoints(flowstore, scope);
    OutboxEndpoints outbox = new OutboxEndpoints(flowstore, scope);
    AuditEndpoints audit = new AuditEndpoints(flowstore, scope);
    CollectionsEndpoints collections = new CollectionsEndpoints(flowstore, scope);
    CollectionRecordsEndpoints records = new CollectionRecordsEndpoints(flowstore, scope);
    HealthEndpoints health =
        new HealthEndpoints(flowstore, scope == null ? null : scope.maintenance());
    AdminEndpoints admin =
        new AdminEndpoints(flowstore, scope == null ? null : scope.maintenance());
    IdempotentPosts idempotent = new IdempotentPosts(flowstore, scope);
    List<Route> all =
        List.of(
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
            new Route(
                PUT, "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}", steps::record),
            new Route(
                GET, "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}", steps::check),
            new Route(
                POST,
                "/v1/sessions/{session_id}/steps/{step}/attempts/{attempt}/finish",
                steps::finish),
            new Route(GET, "/v1/sessions/{session_id}/steps", steps::list),
            new Route(POST, "/v1/sessions/{session_id}/checkpoints", checkpoints::save),
            new Route(GET, "/v1/sessions/{session_id}/checkpoints", checkpoints::list),
            // why: before {checkpoint_id}, so "latest" is this route (a checkpoint named so is
            // listed)
            new Route(GET, "/v1/sessions/{session_id}/checkpoints/latest", checkpoints::latest),
            new Route(
                GET, "/v1/sessions/{session_id}/checkpoints/{checkpoint_id}", checkpoints::get),
            new Route(GET, "/v1/checkpoints/resume", checkpoints::resume),
            new Route(PUT, "/v1/nodes/{node_id}", nodes::register),
            new Route(GET, "/v1/nodes/{node_id}", nodes::get),
            new Route(GET, "/v1/nodes", nodes::list),
            new Route(POST, "/v1/tasks", tasks::create),
            new Route(GET, "/v1/tasks", tasks::list),
            new Route(GET, "/v1/tasks/{task_id}", tasks::get),
            new Route(POST, "/v1/tasks/{task_id}/start", tasks::start),
            new Route(POST, "/v1/tasks/{task_id}/progress", tasks::progress),
            new Route(POST, "/v1/tasks/{task_id}/complete", tasks::complete),
            new Route(POST, "/v1/tasks/{task_id}/fail", tasks::fail),
            new Route(POST, "/v1/tasks/{task_id}/cancel", tasks::cancel),
            new Route(POST, "/v1/resume-handles", handles::create),
            new Route(GET, "/v1/resume-handles", handles::list),
            new Route(GET, "/v1/resume-handles/{handle_id}", handles::get),
            new Route(POST, "/v1/resume-handles/{handle_id}/paused", handles::markPaused),
            new Route(POST, "/v1/resume-handles/{correlation_id}/resume", handles::resume),
            new Route(POST, "/v1/commands", commands::submit),
            new Route(GET, "/v1/commands", commands::list),
            new Route(GET, "/v1/commands/{command_id}", commands::get),
            new Route(POST, "/v1/commands/{command_id}/start", commands::start),
            new Route(POST, "/v1/commands/{command_id}/complete", commands::complete),
            new Route(POST, "/v1/commands/{command_id}/fail", commands::fail),
            new Route(POST, "/v1/queues/{queue}/jobs", queues::enqueue),
            new Route(POST, "/v1/queues/{queue}/leases", queues::lease),
            new Route(GET, "/v1/queues", queues::stats),
            new Route(GET, "/v1/jobs/{job_id}", queues::get),
            new Route(POST, "/v1/jobs/{job_id}/ack", queues::ack),
            new Route(POST, "/v1/jobs/{job_id}/nack", queues::nack),
            new Route(POST, "/v1/jobs/{job_id}/heartbeat", queues::heartbeat),
            new Route(POST, "/v1/jobs/{job_id}/release", queues::release),
            new Route(GET, "/v1/dlq", dlq::list),
            new Route(GET, "/v1/dlq/{job_id}", dlq::get),
            new Route(POST, "/v1/dlq/{job_id}/redrive", dlq::redrive),
            new Route(DELETE, "/v1/dlq/{job_id}", dlq::purge),
            new Route(GET, "/v1/outbox", outbox::list),
            new Route(POST, "/v1/outbox/{message_id}/replay", outbox::replay),
            new Route(GET, "/v1/audit", audit::list),
            new Route(GET, "/v1/audit/verify", audit::verify),
            new Route(POST, "/v1/collections", collections::declare),
            new Route(GET, "/v1/collections", collections::list),
            new Route(GET, "/v1/collections/{collection}", collections::get),
            new Route(POST, "/v1/collections/{collection}/records", records::create),
            new Route(GET, "/v1/collections/{collection}/records", records::query),
            new Route(GET, "/v1/collections/{collection}/unique", records::byUnique),
            new Route(GET, "/v1/collections/{collection}/records/{record_id}", records::get),
            new Route(PUT, "/v1/collections/{collection}/records/{record_id}", records::replace),
            new Route(PATCH, "/v1/collections/{collection}/records/{record_id}", records::patch),
            new Route(DELETE, "/v1/collections/{collection}/records/{record_id}", records::delete),
            new Route(
                POST, "/v1/collections/{collection}/records/{record_id}/archive", records::archive),
            new Route(
                GET, "/v1/collections/{collection}/records/{record_id}/history", records::history),
            new Route(
                GET,
                "/v1/collections/{collection}/records/{record_id}/children",
                records::children),
            new Route(GET, "/health/live", health::live),
            new Route(GET, "/health/ready", health::ready),
            new Route(GET, "/metrics", ctx -> metrics.scrape(ctx)),
            new Route(GET, "/admin/maintenance", admin::maintenance),
            new Route(PUT, "/admin/maintenance", admin::setMaintenance),
            new Route(GET, "/openapi.yaml", OpenApiDocument::serve));
    return all.stream()
        .map(r -> r.method() == POST && r.path().startsWith("/v1/") ? idempotent.wrap(r) : r)
        .toList();
  }
}
