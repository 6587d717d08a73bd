package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A session (a run of a flow): its status, the flow's current state, and the JSON state the flow
 * keeps. {@code version} is the version of the session's event stream ({@link Sessions#streamOf}):
 * 0 when created, +1 with every change.
 *
 * @param expiresAt when an ACTIVE session becomes EXPIRED: {@code updatedAt + ttlSeconds}
 *     (sliding); null without a TTL
 */
public record Session(
    UUID sessionId,
    String flowId,
    Integer flowVersion,
    SessionStatus status,
    String currentState,
    String stage,
    ObjectNode state,
    ObjectNode params,
    ObjectNode metadata,
    String scheduleId,
    UUID parentSessionId,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Instant completedAt,
    Integer ttlSeconds,
    Instant expiresAt) {}
