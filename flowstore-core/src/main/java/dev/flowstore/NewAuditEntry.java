package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An audit entry to append.
 *
 * @param actor who did it (a user, a service, {@code flowstore.queue} for the queue itself)
 * @param action what was done, e.g. {@code job.dead_lettered}
 * @param resourceType e.g. {@code job}
 * @param resourceId e.g. the job id
 * @param traceId the request's trace id, or null
 * @param before the resource before, or null
 * @param after the resource after, or null
 */
public record NewAuditEntry(
    String actor,
    String action,
    String resourceType,
    String resourceId,
    String traceId,
    ObjectNode before,
    ObjectNode after) {}
