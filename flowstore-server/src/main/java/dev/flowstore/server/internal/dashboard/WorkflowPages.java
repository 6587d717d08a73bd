package dev.flowstore.server.internal.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Checkpoint;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.ResumeHandle;
import dev.flowstore.Session;
import dev.flowstore.SessionStatus;
import dev.flowstore.Sessions;
import dev.flowstore.StepAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.WireJson;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Sessions with their timeline, the tenant's event feed and a stream's events. */
final class WorkflowPages {
  private static final int PAGE = QueuePages.PAGE;
  private static final int TIMELINE_MAX = EventStore.MAX_PAGE;

  private final Flowstore flowstore;
  private final Views views;

  WorkflowPages(Flowstore flowstore, Views views) {
    this.flowstore = flowstore;
    this.views = views;
  }

  void sessions(Context ctx, Viewer viewer) {
    String status = QueuePages.blankToNull(ctx.queryParam("status"));
    String flow = QueuePages.blankToNull(ctx.queryParam("flow_id"));
    String cursor = QueuePages.blankToNull(ctx.queryParam("cursor"));
    Sessions.Page page =
        flowstore.sessions(viewer.tenant()).list(sessionStatus(status), flow, PAGE, cursor);
    views.render(
        ctx,
        200,
        viewer,
        "sessions",
        null,
        new Views.Model()
            .put("status", status == null ? "" : status)
            .put("flow", flow == null ? "" : flow)
            .put(
                "statuses",
                List.of(SessionStatus.values()).stream()
                    .map(s -> s.name().toLowerCase(Locale.ROOT))
                    .toList())
            .put("sessions", Views.maps(page.sessions(), WireJson::session))
            .put("next", page.nextCursor()));
  }

  /** One entry of a session's timeline. */
  record Entry(Instant at, String kind, String title, String json) {}

  void session(Context ctx, Viewer viewer) {
    UUID id = Params.uuid("session id", ctx.pathParam("session_id"));
    TenantId tenant = viewer.tenant();
    Session session =
        flowstore
            .sessions(tenant)
            .get(id)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND, "session " + id + " not found in tenant " + tenant));
    List<Entry> timeline = new ArrayList<>();
    for (RecordedEvent e : flowstore.sessions(tenant).history(id, 0, TIMELINE_MAX)) {
      String from = text(e.metadata(), "from_state");
      String to = text(e.metadata(), "to_state");
      String title =
          e.type()
              + (to == null ? "" : " " + (from == null ? "" : from + " -> ") + to)
              + " (version "
              + e.version()
              + ")";
      timeline.add(new Entry(e.createdAt(), "event", title, Views.pretty(WireJson.event(e))));
    }
    for (StepAttempt a : flowstore.steps(tenant).list(id, TIMELINE_MAX))
      timeline.add(
          new Entry(
              a.startedAt(),
              "step",
              a.step()
                  + " attempt "
                  + a.attempt()
                  + ": "
                  + a.status().name().toLowerCase(Locale.ROOT),
              Views.pretty(WireJson.step(a))));
    for (Checkpoint c : flowstore.checkpoints(tenant).list(id, Long.MAX_VALUE, TIMELINE_MAX))
      timeline.add(
          new Entry(
              c.createdAt(),
              "checkpoint",
              "checkpoint " + c.checkpointId() + " (sequence " + c.sequence() + ")",
              Views.pretty(WireJson.checkpoint(c))));
    for (ResumeHandle h : flowstore.resumeHandles(tenant).list(id, TIMELINE_MAX))
      timeline.add(
          new Entry(
              h.createdAt(),
              "resume-handle",
              "resume handle "
                  + h.correlationId()
                  + ": "
                  + h.status().name().toLowerCase(Locale.ROOT),
              Views.pretty(WireJson.handle(h))));
    timeline.sort(Comparator.comparing(Entry::at));
    views.render(
        ctx,
        200,
        viewer,
        "session",
        null,
        new Views.Model()
            .put("session", Views.map(WireJson.session(session)))
            .put(
                "timeline",
                timeline.stream()
                    .map(
                        e ->
                            Map.of(
                                "at", e.at().toString(),
                                "kind", e.kind(),
                                "title", e.title(),
                                "json", e.json()))
                    .toList()));
  }

  void events(Context ctx, Viewer viewer) {
    String category = QueuePages.blankToNull(ctx.queryParam("category"));
    long after = Params.longParam(ctx, "after", 0);
    List<RecordedEvent> events = flowstore.events(viewer.tenant()).readAll(after, PAGE, category);
    views.render(
        ctx,
        200,
        viewer,
        "events",
        null,
        new Views.Model()
            .put("category", category == null ? "" : category)
            .put("events", Views.maps(events, WireJson::event))
            .put("next", events.isEmpty() ? null : events.get(events.size() - 1).position()));
  }

  void stream(Context ctx, Viewer viewer) {
    String stream = ctx.pathParam("stream");
    long from = Params.longParam(ctx, "from_version", 0);
    List<RecordedEvent> events =
        flowstore.events(viewer.tenant()).readStream(stream, from, PAGE, Direction.FORWARD);
    views.render(
        ctx,
        200,
        viewer,
        "stream",
        null,
        new Views.Model()
            .put("stream", stream)
            .put("events", Views.maps(events, WireJson::event))
            .put(
                "next",
                events.size() == PAGE ? events.get(events.size() - 1).version() + 1 : null));
  }

  private static SessionStatus sessionStatus(String s) {
    if (s == null) return null;
    try {
      return SessionStatus.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "status: '"
              + s
              + "' is not a session status (active, completed, failed, abandoned, expired)");
    }
  }

  private static String text(ObjectNode node, String field) {
    return node == null || !node.hasNonNull(field) ? null : node.get(field).asText();
  }
}
