package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A change to an ACTIVE session. Null fields are left as they are.
 *
 * @param toState the flow state to move to
 * @param status a final status to end the session with (COMPLETED, FAILED, ABANDONED), or null to
 *     stay ACTIVE
 * @param stage a new stage label
 * @param state the new session state (replaces the old one whole)
 * @param payload what to record with the change in its event (e.g. the step's output, an error)
 * @param traceId the request's trace id, stored as {@code trace_id} in the change's event metadata
 */
public record SessionChange(
    String toState,
    SessionStatus status,
    String stage,
    ObjectNode state,
    ObjectNode payload,
    String traceId) {

  /** A change without a trace id. */
  public SessionChange(
      String toState, SessionStatus status, String stage, ObjectNode state, ObjectNode payload) {
    this(toState, status, stage, state, payload, null);
  }

  public static SessionChange to(String toState) {
    return new SessionChange(toState, null, null, null, null, null);
  }

  public SessionChange withState(ObjectNode newState) {
    return new SessionChange(toState, status, stage, newState, payload, traceId);
  }

  public SessionChange withPayload(ObjectNode newPayload) {
    return new SessionChange(toState, status, stage, state, newPayload, traceId);
  }

  public SessionChange withStatus(SessionStatus newStatus) {
    return new SessionChange(toState, newStatus, stage, state, payload, traceId);
  }

  public SessionChange withStage(String newStage) {
    return new SessionChange(toState, status, newStage, state, payload, traceId);
  }

  public SessionChange withTraceId(String newTraceId) {
    return new SessionChange(toState, status, stage, state, payload, newTraceId);
  }
}
