package dev.flowstore.server.internal.dashboard;

import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobQuery;
import dev.flowstore.OutboxMessage;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.SessionStatus;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.WireJson;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview page: per queue its jobs by state, throughput and latency of the last {@link
 * #WINDOW}; DLQ size; outbox backlog and relay lag; sessions by status; event append rate; backend
 * health. Its "live" fragment is fetched again every few seconds by dashboard.js.
 */
final class Overview {
  static final Duration WINDOW = Duration.ofMinutes(5);
  private static final int CAP = EventStore.MAX_PAGE;

  private final Flowstore flowstore;
  private final Views views;
  private final Clock clock;
  private final FeedRate feedRate;

  Overview(Flowstore flowstore, Views views, Clock clock) {
    this.flowstore = flowstore;
    this.views = views;
    this.clock = clock;
    this.feedRate = new FeedRate(clock);
  }

  void page(Context ctx, Viewer viewer) {
    views.render(ctx, 200, viewer, "overview", null, model(viewer.tenant()));
  }

  void live(Context ctx, Viewer viewer) {
    views.render(ctx, 200, viewer, "overview", "live", model(viewer.tenant()));
  }

  private Views.Model model(TenantId tenant) {
    Instant now = clock.instant();
    Queue queue = flowstore.queue(tenant);
    List<Map<String, Object>> queues = new ArrayList<>();
    long dlq = 0;
    for (QueueStats s : queue.stats()) {
      Map<String, Object> row = Views.map(WireJson.stats(s));
      List<Job> done =
          queue.list(new JobQuery(s.queue(), Job.Status.SUCCEEDED, null, 0, CAP)).stream()
              .filter(j -> j.finishedAt() != null && j.finishedAt().isAfter(now.minus(WINDOW)))
              .toList();
      long[] ms =
          done.stream()
              .mapToLong(j -> Duration.between(j.createdAt(), j.finishedAt()).toMillis())
              .sorted()
              .toArray();
      row.put("per_minute", String.format("%.1f", done.size() / (double) WINDOW.toMinutes()));
      row.put("p50_ms", ms.length == 0 ? "-" : Long.toString(ms[ms.length / 2]));
      row.put("p95_ms", ms.length == 0 ? "-" : Long.toString(ms[(int) (ms.length * 0.95)]));
      queues.add(row);
      dlq += s.failed() + s.dlqPending() + s.dlqRecorded();
    }
    List<OutboxMessage> pending =
        flowstore.outbox(tenant).list(OutboxMessage.Status.PENDING, CAP, null);
    int failedOutbox = flowstore.outbox(tenant).list(OutboxMessage.Status.FAILED, CAP, null).size();
    String lag =
        pending.stream()
            .map(OutboxMessage::createdAt)
            .min(Instant::compareTo)
            .map(oldest -> Duration.between(oldest, now).toSeconds() + " s")
            .orElse("0 s");
    Map<String, String> sessions = new LinkedHashMap<>();
    for (SessionStatus status : SessionStatus.values()) {
      int n = flowstore.sessions(tenant).list(status, null, CAP, null).sessions().size();
      sessions.put(status.name().toLowerCase(java.util.Locale.ROOT), count(n));
    }
    FeedRate.Rate rate = feedRate.sample(tenant, flowstore.events(tenant));
    String health;
    try {
      flowstore.checkReady();
      health = "ready";
    } catch (FlowstoreException e) {
      health = "not ready: " + e.getMessage();
    }
    return new Views.Model()
        .put("queues", queues)
        .put("dlq", dlq)
        .put("outboxPending", count(pending.size()))
        .put("outboxFailed", count(failedOutbox))
        .put("relayLag", lag)
        .put("sessions", sessions)
        .put("feedHead", rate.head())
        .put(
            "appendRate",
            rate.perSecond() == null
                ? "measuring..."
                : String.format("%.2f/s over %d s", rate.perSecond(), rate.seconds()))
        .put("health", health)
        .put("ready", health.equals("ready"))
        .put("backend", flowstore.describe())
        .put("now", now.toString())
        .put("window", WINDOW.toMinutes());
  }

  /** A count read with a page of {@link #CAP}: "1000+" when the page was full. */
  private static String count(int n) {
    return n >= CAP ? CAP + "+" : Integer.toString(n);
  }
}
