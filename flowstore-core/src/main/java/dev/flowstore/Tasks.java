package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Asynchronous tasks of one tenant, with their progress and a state machine that allows only
 * PENDING -> RUNNING | CANCELLED and RUNNING -> COMPLETED | FAILED | CANCELLED (progress changes
 * while RUNNING). Every change is a conditional update on the task's current status, so of two
 * concurrent changes from the same status at most one succeeds.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#tasks(TenantId)} (each call is
 * its own transaction) or from {@link Transaction#tasks()} (calls join the caller's transaction).
 * Illegal transitions fail with {@code UNPROCESSABLE} naming the current and the requested status;
 * a task of another tenant is {@code NOT_FOUND}.
 */
public interface Tasks {
  /**
   * Creates a PENDING task with progress 0.
   *
   * @param sessionId the session it belongs to, or null
   * @throws FlowstoreException {@code INVALID_ID} for a bad task type
   */
  Task create(String taskType, UUID sessionId);

  /** The task, or empty (also for another tenant's). */
  Optional<Task> get(UUID taskId);

  /**
   * PENDING -> RUNNING.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} from any other status
   */
  Task start(UUID taskId);

  /**
   * Sets the progress of a RUNNING task, rounded half-up to two decimal places. It may go down as
   * well as up (a task may re-estimate).
   *
   * @throws FlowstoreException {@code INVALID_ARGUMENT} when progress is null or outside 0..100;
   *     {@code NOT_FOUND}; {@code UNPROCESSABLE} when the task is not RUNNING
   */
  Task progress(UUID taskId, BigDecimal progress);

  /**
   * RUNNING -> COMPLETED with its result; progress becomes 100.
   *
   * @param result a JSON object, or null
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} from any other status;
   *     {@code INVALID_JSON}, {@code PAYLOAD_TOO_LARGE} for a bad result
   */
  Task complete(UUID taskId, ObjectNode result);

  /**
   * RUNNING -> FAILED with why.
   *
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a missing or over-long error; {@code
   *     NOT_FOUND}; {@code UNPROCESSABLE} from any other status
   */
  Task fail(UUID taskId, String error);

  /**
   * PENDING | RUNNING -> CANCELLED.
   *
   * @throws FlowstoreException {@code NOT_FOUND}; {@code UNPROCESSABLE} when already final
   */
  Task cancel(UUID taskId);

  /**
   * The newest tasks first, optionally only of one session and/or one status.
   *
   * @param sessionId null for all
   * @param status null for all
   * @param limit 1..{@link EventStore#MAX_PAGE}
   */
  List<Task> list(UUID sessionId, Task.Status status, int limit);
}
