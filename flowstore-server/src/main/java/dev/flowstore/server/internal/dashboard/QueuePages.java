package dev.flowstore.server.internal.dashboard;

import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.JobQuery;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.server.internal.http.TraceIds;
import dev.flowstore.server.internal.http.WireJson;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Queues, a queue's jobs, a job with its attempts, and the DLQ with redrive and purge. */
final class QueuePages {
  static final int PAGE = 50;
  private static final int MAX_SELECTED = 500;

  private final Flowstore flowstore;
  private final Views views;

  QueuePages(Flowstore flowstore, Views views) {
    this.flowstore = flowstore;
    this.views = views;
  }

  void queues(Context ctx, Viewer viewer) {
    var stats = flowstore.queue(viewer.tenant()).stats();
    views.render(
        ctx,
        200,
        viewer,
        "queues",
        null,
        new Views.Model().put("queues", Views.maps(stats, WireJson::stats)));
  }

  void jobs(Context ctx, Viewer viewer) {
    String queue = ctx.pathParam("queue");
    String status = blankToNull(ctx.queryParam("status"));
    String type = blankToNull(ctx.queryParam("type"));
    long before = Params.longParam(ctx, "before", 0);
    Job.Status wanted = status == null ? null : status(status);
    List<Job> jobs =
        flowstore.queue(viewer.tenant()).list(new JobQuery(queue, wanted, type, before, PAGE));
    views.render(
        ctx,
        200,
        viewer,
        "jobs",
        null,
        new Views.Model()
            .put("queue", queue)
            .put("status", status == null ? "" : status)
            .put("type", type == null ? "" : type)
            .put("statuses", List.of(Job.Status.values()).stream().map(Job.Status::wire).toList())
            .put("jobs", Views.maps(jobs, WireJson::job))
            .put("next", jobs.size() == PAGE ? jobs.get(jobs.size() - 1).seq() : null));
  }

  /** The search box: a job id goes to its page. */
  void find(Context ctx, Viewer viewer) {
    String id = ctx.queryParam("id");
    UUID jobId = Params.uuid("job id", id == null ? "" : id.strip());
    ctx.redirect("/ui/jobs/" + jobId, HttpStatus.SEE_OTHER);
  }

  void job(Context ctx, Viewer viewer) {
    UUID jobId = Params.uuid("job id", ctx.pathParam("job_id"));
    JobDetail d =
        flowstore
            .queue(viewer.tenant())
            .get(jobId)
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND,
                        "job " + jobId + " not found in tenant " + viewer.tenant()));
    views.render(
        ctx,
        200,
        viewer,
        "job",
        null,
        new Views.Model()
            .put("job", Views.map(WireJson.job(d.job())))
            .put("attempts", Views.maps(d.attempts(), WireJson::attempt))
            .put(
                "dead",
                d.deadLetter() == null ? null : Views.map(WireJson.dlqItem(d.deadLetter()))));
  }

  void dlq(Context ctx, Viewer viewer) {
    String queue = blankToNull(ctx.queryParam("queue"));
    String after = blankToNull(ctx.queryParam("after"));
    List<DlqItem> items =
        flowstore
            .queue(viewer.tenant())
            .deadLetters()
            .list(queue, after == null ? null : Params.uuid("after", after), PAGE);
    views.render(
        ctx,
        200,
        viewer,
        "dlq",
        null,
        new Views.Model()
            .put("queue", queue == null ? "" : queue)
            .put("items", Views.maps(items, WireJson::dlqItem))
            .put("notice", ctx.queryParam("notice"))
            .put("next", items.size() == PAGE ? items.get(items.size() - 1).jobId() : null));
  }

  void redrive(Context ctx, Viewer viewer) {
    act(ctx, viewer, "redrive", "redriven", (dlq, id) -> dlq.redrive(id));
  }

  void purge(Context ctx, Viewer viewer) {
    act(ctx, viewer, "purge", "purged", (dlq, id) -> dlq.purge(id));
  }

  private interface DlqAction {
    void apply(DeadLetters dlq, UUID jobId);
  }

  /**
   * Applies a DLQ action to every selected job, each on its own (one that fails does not stop the
   * others), and writes a {@code dashboard.dlq.<action>} audit entry naming the key for each one
   * done; the store writes its own {@code job.redriven} / {@code job.purged} entry with the change.
   */
  private void act(Context ctx, Viewer viewer, String action, String done, DlqAction work) {
    List<String> ids = ctx.formParams("job_id");
    if (ids.isEmpty())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "select at least one job (the boxes on the left), then " + action);
    if (ids.size() > MAX_SELECTED)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "at most " + MAX_SELECTED + " jobs at once, got " + ids.size() + ": select fewer");
    List<UUID> jobIds = ids.stream().map(id -> Params.uuid("job_id", id)).toList();
    DeadLetters dlq = flowstore.queue(viewer.tenant()).deadLetters();
    String trace = TraceIds.of(ctx);
    int ok = 0;
    List<String> failed = new ArrayList<>();
    for (UUID id : jobIds) {
      try {
        work.apply(dlq, id);
        flowstore
            .audit(viewer.tenant())
            .append(
                new NewAuditEntry(
                    viewer.actor(),
                    "dashboard.dlq." + action,
                    "job",
                    id.toString(),
                    trace,
                    null,
                    null));
        ok++;
      } catch (FlowstoreException e) {
        failed.add(id + ": " + e.getMessage());
      }
    }
    String notice =
        ok
            + " job"
            + (ok == 1 ? "" : "s")
            + " "
            + done
            + (failed.isEmpty() ? "" : "; failed: " + String.join("; ", failed));
    ctx.redirect(
        "/ui/dlq?notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8),
        HttpStatus.SEE_OTHER);
  }

  private static Job.Status status(String s) {
    try {
      return Job.Status.fromWire(s.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "status: '"
              + s
              + "' is not a job status (queued, leased, succeeded, dlq_pending, dlq_recorded, failed)");
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
