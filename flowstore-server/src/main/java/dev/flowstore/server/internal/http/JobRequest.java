package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/queues/{queue}/jobs}: one job object, or {@code {"jobs": [...]}} for
 * a batch (enqueued all or none). Every job is parsed before anything is written.
 *
 * @param batch whether the body was a batch (the answer is then a list, even of one job)
 */
record JobRequest(List<NewJob> jobs, boolean batch) {
  private static final Set<String> JOB =
      Set.of(
          "job_type",
          "payload",
          "priority",
          "run_at",
          "delay_s",
          "max_attempts",
          "unique_key",
          "trace_id",
          "event_id");
  private static final int MAX_DELAY_S = (int) Queue.MAX_DURATION.toSeconds();

  /**
   * @param traceId the request's trace id: the default {@code trace_id} of every job
   * @param now what {@code delay_s} counts from
   */
  static JobRequest parse(String queue, JsonNode body, String traceId, Instant now) {
    ObjectNode o = Json.object("body", body);
    if (!o.has("jobs")) return new JobRequest(List.of(job(queue, "body", o, traceId, now)), false);
    BodyFields.onlyKnown("body", o, Set.of("jobs"));
    JsonNode array = o.get("jobs");
    if (!array.isArray()) throw BodyFields.invalid("body.jobs: must be an array of job objects");
    if (array.isEmpty() || array.size() > Queue.MAX_BATCH)
      throw BodyFields.invalid(
          "body.jobs: 1 to " + Queue.MAX_BATCH + " jobs per request, got " + array.size());
    List<NewJob> jobs = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++)
      jobs.add(job(queue, "body.jobs[" + i + "]", array.get(i), traceId, now));
    return new JobRequest(jobs, true);
  }

  private static NewJob job(String queue, String at, JsonNode node, String traceId, Instant now) {
    BodyFields b = BodyFields.of(at, node, JOB);
    Instant runAt = b.instant("run_at");
    Integer delay = b.integer("delay_s", 0, MAX_DELAY_S);
    if (runAt != null && delay != null)
      throw BodyFields.invalid(at + ": give run_at or delay_s, not both");
    if (delay != null) runAt = now.plusSeconds(delay);
    Integer priority = b.integer("priority");
    Integer maxAttempts = b.integer("max_attempts");
    String trace = b.string("trace_id");
    return new NewJob(
        queue,
        b.requiredString("job_type"),
        b.object("payload"),
        priority == null ? 0 : priority,
        runAt,
        maxAttempts == null ? Queue.DEFAULT_MAX_ATTEMPTS : maxAttempts,
        b.string("unique_key"),
        trace == null ? traceId : trace,
        b.uuid("event_id"));
  }
}
