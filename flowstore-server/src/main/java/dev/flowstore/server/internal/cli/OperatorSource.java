package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * Where the operator commands read (and redrive or purge) one tenant's data: a running server over
 * HTTP ({@link HttpSource}) or the configured backend opened directly ({@link DirectSource}). Both
 * answer each call with the body of the HTTP API's matching operation (openapi.yaml), so a command
 * renders, and prints with {@code --json}, the same thing from either.
 *
 * <p>Errors are {@code FlowstoreException}s with the API's codes: {@code NOT_FOUND} for an unknown
 * id, {@code BACKEND_UNAVAILABLE} when the server or backend cannot be reached, {@code
 * UNAUTHENTICATED} for a missing or wrong API key (HTTP only).
 */
interface OperatorSource extends AutoCloseable {
  /** What is read, for messages: {@code server http://...} or {@code sqlite backend}. */
  String describe();

  /** {@code GET /v1/queues}. */
  ObjectNode queues();

  /** {@code GET /v1/jobs/{job_id}}. */
  ObjectNode job(UUID id);

  /** {@code GET /v1/dlq?queue=&after=&limit=}; {@code queue} and {@code after} may be null. */
  ObjectNode dlqPage(String queue, UUID after, int limit);

  /** {@code GET /v1/dlq/{job_id}}. */
  ObjectNode dlqItem(UUID id);

  /** {@code POST /v1/dlq/{job_id}/redrive}: the job as it is back in its queue. */
  ObjectNode redrive(UUID id);

  /** {@code DELETE /v1/dlq/{job_id}}. */
  void purge(UUID id);

  /** {@code GET /v1/sessions/{session_id}}. */
  ObjectNode session(UUID id);

  /** {@code GET /v1/sessions/{session_id}/events?from_version=&limit=}. */
  ObjectNode sessionEvents(UUID id, long fromVersion, int limit);

  /** {@code GET /v1/sessions/{session_id}/steps?limit=}. */
  ObjectNode steps(UUID session, int limit);

  /** {@code GET /v1/sessions/{session_id}/checkpoints?limit=} (newest first). */
  ObjectNode checkpoints(UUID session, int limit);

  /** {@code GET /v1/resume-handles?session_id=&limit=}. */
  ObjectNode resumeHandles(UUID session, int limit);

  @Override
  void close();
}
