package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.Ids;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.Queue;
import dev.flowstore.Recorded;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.QueueValidation;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/queues} and {@code /v1/jobs}: enqueue (one or a batch), lease, and the lease actions
 * ack, nack, heartbeat and release, which need the lease's {@code lease_token} (a stale one is 409
 * LEASE_LOST and changes nothing; another tenant's job is 404); a job with its attempt history;
 * queue depths.
 */
final class QueueEndpoints {
  static final int DEFAULT_VISIBILITY_S = 30;
  private static final int MAX_SECONDS = (int) Queue.MAX_DURATION.toSeconds();
  private static final Set<String> LEASE = Set.of("max", "visibility_timeout_s");
  private static final Set<String> TOKEN = Set.of("lease_token");
  private static final Set<String> NACK = Set.of("lease_token", "error", "retry_delay_s");
  private static final Set<String> HEARTBEAT = Set.of("lease_token", "extend_s");

  private final Flowstore flowstore;
  private final RequestScope scope;
  private final JobTimings timings;

  /** {@code metrics} may be null (a route table only inspected): then nothing is timed. */
  QueueEndpoints(Flowstore flowstore, RequestScope scope, ServerMetrics metrics) {
    this.flowstore = flowstore;
    this.scope = scope;
    this.timings = metrics == null ? null : metrics.jobs();
  }

  private Queue queue(Context ctx) {
    return flowstore.queue(scope.tenant(ctx));
  }

  private long bodyLimit() {
    return flowstore.config().maxPayloadBytes() + 64L * 1024;
  }

  /**
   * One job: 201, or 200 with the active job holding its {@code unique_key} and {@code duplicate:
   * true} (like {@code POST /v1/commands}). A batch: 201 with {@code {"jobs": [...]}}, each with
   * its {@code duplicate} flag.
   */
  void enqueue(Context ctx) {
    String name = QueueValidation.queue(ctx.pathParam("queue"));
    JobRequest request =
        JobRequest.parse(
            name,
            RequestBody.json(ctx, RequestBody.largestCap(flowstore.config())),
            TraceIds.of(ctx),
            scope.clock().instant());
    if (!request.batch()) {
      Recorded<Job> r = queue(ctx).enqueue(request.jobs().get(0));
      Responses.json(ctx, r.duplicate() ? 200 : 201, QueueJson.enqueued(r.value(), r.duplicate()));
      return;
    }
    List<Recorded<Job>> recorded = queue(ctx).enqueueAll(request.jobs());
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode jobs = body.putArray("jobs");
    recorded.forEach(r -> jobs.add(QueueJson.enqueued(r.value(), r.duplicate())));
    Responses.json(ctx, 201, body);
  }

  /**
   * {@code {"max": 1..1000 (default 1), "visibility_timeout_s": 1..604800 (default 30)}}: 200 with
   * {@code {"leases": [...]}}, empty when no job is ready.
   */
  void lease(Context ctx) {
    String name = QueueValidation.queue(ctx.pathParam("queue"));
    BodyFields b = BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), LEASE);
    Integer max = b.integer("max", 1, Queue.MAX_BATCH);
    Integer visibility = b.integer("visibility_timeout_s", 1, MAX_SECONDS);
    List<Lease> leases =
        queue(ctx)
            .lease(
                name,
                max == null ? 1 : max,
                Duration.ofSeconds(visibility == null ? DEFAULT_VISIBILITY_S : visibility));
    if (timings != null) {
      Instant now = scope.clock().instant();
      for (Lease l : leases) timings.leased(scope.tenant(ctx), l, now);
    }
    Responses.json(ctx, 200, RecordsJson.page("leases", leases, QueueJson::lease));
  }

  private void settled(Context ctx, UUID id, long token, String outcome) {
    if (timings != null)
      timings.settled(scope.tenant(ctx), id, token, outcome, scope.clock().instant());
  }

  /** {@code {"lease_token": n}}: LEASED -> SUCCEEDED. */
  void ack(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), TOKEN);
    long token = token(b);
    Job job = queue(ctx).ack(id, token);
    settled(ctx, id, token, "succeeded");
    Responses.json(ctx, 200, QueueJson.job(job));
  }

  /**
   * {@code {"lease_token": n, "error": "...", "retry_delay_s": 0..604800?}}: a failed attempt;
   * retried after the delay (default: exponential backoff with jitter) or, after the last attempt,
   * dead-lettered (status {@code failed}).
   */
  void nack(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), NACK);
    long token = token(b);
    String error = b.requiredString("error");
    Integer delay = b.integer("retry_delay_s", 0, MAX_SECONDS);
    Job job = queue(ctx).nack(id, token, error, delay == null ? null : Duration.ofSeconds(delay));
    settled(ctx, id, token, "failed");
    Responses.json(ctx, 200, QueueJson.job(job));
  }

  /** {@code {"lease_token": n, "extend_s": 1..604800 (default 30)}}: the lease, extended. */
  void heartbeat(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), HEARTBEAT);
    long token = token(b);
    Integer extend = b.integer("extend_s", 1, MAX_SECONDS);
    Duration by = Duration.ofSeconds(extend == null ? DEFAULT_VISIBILITY_S : extend);
    Responses.json(ctx, 200, QueueJson.lease(queue(ctx).heartbeat(id, token, by)));
  }

  /** {@code {"lease_token": n}}: back to the queue unprocessed; the attempt does not count. */
  void release(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), TOKEN);
    long token = token(b);
    Job job = queue(ctx).release(id, token);
    if (timings != null) timings.released(scope.tenant(ctx), id, token);
    Responses.json(ctx, 200, QueueJson.job(job));
  }

  void get(Context ctx) {
    Responses.json(ctx, 200, ApiBodies.job(queue(ctx), id(ctx)));
  }

  /** Every queue of the tenant that has jobs, with its depth per state. */
  void stats(Context ctx) {
    Responses.json(ctx, 200, ApiBodies.queues(queue(ctx)));
  }

  private static long token(BodyFields b) {
    long token = b.requiredLong("lease_token");
    if (token < 1)
      throw BodyFields.invalid("body.lease_token: must be a lease's token (1 or more)");
    return token;
  }

  private static UUID id(Context ctx) {
    return Ids.uuid("job_id", ctx.pathParam("job_id"));
  }
}
