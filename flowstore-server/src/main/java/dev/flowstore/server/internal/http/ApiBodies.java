package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Checkpoint;
import dev.flowstore.Checkpoints;
import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Queue;
import dev.flowstore.RecordedEvent;
import dev.flowstore.ResumeHandles;
import dev.flowstore.Sessions;
import dev.flowstore.Steps;
import dev.flowstore.internal.Json;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The answers of the read endpoints an operator looks at (queues, a job, the DLQ, a session and
 * what hangs off it), built from a tenant's stores: the one place both the endpoints and the
 * operator CLI's direct mode ({@code flowstore queues --json} without {@code --url}) make them, so
 * the CLI prints the same JSON whether it reads the backend or a server.
 */
public final class ApiBodies {
  private ApiBodies() {}

  /** {@code GET /v1/queues}: {@code {"queues": [...]}}. */
  public static ObjectNode queues(Queue queue) {
    return RecordsJson.page("queues", queue.stats(), QueueJson::stats);
  }

  /** {@code GET /v1/jobs/{job_id}}; NOT_FOUND when the tenant has no such job. */
  public static ObjectNode job(Queue queue, UUID id) {
    return QueueJson.detail(found(queue.get(id), "job " + id + " not found"));
  }

  /** {@code GET /v1/dlq}: {@code {"items": [...], "next_after": job_id | null}}. */
  public static ObjectNode dlqPage(DeadLetters dlq, String queue, UUID after, int limit) {
    List<DlqItem> items = dlq.list(queue, after, limit);
    ObjectNode body = RecordsJson.page("items", items, QueueJson::dlqItem);
    if (items.size() < limit) body.putNull("next_after");
    else body.put("next_after", items.get(items.size() - 1).jobId().toString());
    return body;
  }

  /** {@code GET /v1/dlq/{job_id}}; NOT_FOUND when the job is not in the DLQ. */
  public static ObjectNode dlqItem(DeadLetters dlq, UUID id) {
    return QueueJson.detail(found(dlq.inspect(id), "job " + id + " is not in the DLQ"));
  }

  /** {@code POST /v1/dlq/{job_id}/redrive}: the job, back in its queue. */
  public static ObjectNode redrive(DeadLetters dlq, UUID id) {
    return QueueJson.job(dlq.redrive(id));
  }

  /** {@code GET /v1/sessions/{session_id}}; NOT_FOUND when the tenant has no such session. */
  public static ObjectNode session(Sessions sessions, UUID id) {
    return WorkflowJson.session(found(sessions.get(id), "session " + id + " not found"));
  }

  /**
   * {@code GET /v1/sessions/{session_id}/events}: {@code {"events": [...], "next_from_version": n |
   * null}}.
   */
  public static ObjectNode sessionEvents(Sessions sessions, UUID id, long from, int limit) {
    List<RecordedEvent> events = sessions.history(id, from, limit);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("events", EventJson.array(events));
    body.put(
        "next_from_version",
        events.size() == limit ? events.get(events.size() - 1).version() + 1 : null);
    return body;
  }

  /** {@code GET /v1/sessions/{session_id}/steps}: {@code {"steps": [...]}}. */
  public static ObjectNode steps(Steps steps, UUID session, int limit) {
    return RecordsJson.page("steps", steps.list(session, limit), RecordsJson::step);
  }

  /**
   * {@code GET /v1/sessions/{session_id}/checkpoints}: newest first, {@code {"checkpoints": [...],
   * "next_before": sequence | null}}.
   */
  public static ObjectNode checkpoints(
      Checkpoints checkpoints, UUID session, long before, int limit) {
    List<Checkpoint> page = checkpoints.list(session, before, limit);
    ObjectNode body = RecordsJson.page("checkpoints", page, RecordsJson::checkpoint);
    if (page.size() == limit) body.put("next_before", page.get(page.size() - 1).sequence());
    else body.putNull("next_before");
    return body;
  }

  private static <T> T found(Optional<T> value, String notFound) {
    return value.orElseThrow(() -> new FlowstoreException(ErrorCode.NOT_FOUND, notFound));
  }

  /** {@code GET /v1/resume-handles?session_id=}: {@code {"resume_handles": [...]}}. */
  public static ObjectNode resumeHandles(ResumeHandles handles, UUID session, int limit) {
    return RecordsJson.page("resume_handles", handles.list(session, limit), RecordsJson::handle);
  }
}
