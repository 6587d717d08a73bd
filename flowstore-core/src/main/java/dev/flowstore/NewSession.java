package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * What to create a session with. Only everything is optional; use {@link #builder()}.
 *
 * @param sessionId null for a new random id; supply one to make creation idempotent
 * @param flowId when set, the flow must exist and params must satisfy its param_schema
 * @param flowVersion null for the flow's latest version
 * @param initialState the flow's first state (default {@code start})
 * @param ttlSeconds null for no expiry
 */
public record NewSession(
    UUID sessionId,
    String flowId,
    Integer flowVersion,
    String initialState,
    String stage,
    ObjectNode state,
    ObjectNode params,
    ObjectNode metadata,
    String scheduleId,
    UUID parentSessionId,
    Integer ttlSeconds) {

  public static Builder builder() {
    return new Builder();
  }

  /** A mutable builder for {@link NewSession}. */
  public static final class Builder {
    private UUID sessionId;
    private String flowId;
    private Integer flowVersion;
    private String initialState;
    private String stage;
    private ObjectNode state;
    private ObjectNode params;
    private ObjectNode metadata;
    private String scheduleId;
    private UUID parentSessionId;
    private Integer ttlSeconds;

    public Builder sessionId(UUID v) {
      sessionId = v;
      return this;
    }

    public Builder flow(String id, Integer version) {
      flowId = id;
      flowVersion = version;
      return this;
    }

    public Builder initialState(String v) {
      initialState = v;
      return this;
    }

    public Builder stage(String v) {
      stage = v;
      return this;
    }

    public Builder state(ObjectNode v) {
      state = v;
      return this;
    }

    public Builder params(ObjectNode v) {
      params = v;
      return this;
    }

    public Builder metadata(ObjectNode v) {
      metadata = v;
      return this;
    }

    public Builder scheduleId(String v) {
      scheduleId = v;
      return this;
    }

    public Builder parentSessionId(UUID v) {
      parentSessionId = v;
      return this;
    }

    public Builder ttlSeconds(Integer v) {
      ttlSeconds = v;
      return this;
    }

    public NewSession build() {
      return new NewSession(
          sessionId,
          flowId,
          flowVersion,
          initialState,
          stage,
          state,
          params,
          metadata,
          scheduleId,
          parentSessionId,
          ttlSeconds);
    }
  }
}
