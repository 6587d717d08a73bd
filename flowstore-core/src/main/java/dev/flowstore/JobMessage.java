package dev.flowstore;

import java.util.UUID;

/**
 * The message a queue delivers, with the fields of seed 001: {@code message_id, event_id, job_id,
 * tenant_id, trace_id, job_type, attempt}. Every queue backend (SQL, Redis) carries exactly these.
 *
 * @param attempt 1 on the first delivery, 2 on the second...
 */
public record JobMessage(
    UUID messageId,
    UUID eventId,
    UUID jobId,
    TenantId tenantId,
    String traceId,
    String jobType,
    int attempt) {}
