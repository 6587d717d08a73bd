package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A dead-lettered job (seed 001 dlq_items): written in the same transaction as the job's move
 * {@code dlq_pending -> dlq_recorded} and its {@code job.dead_lettered} audit entry. A job has at
 * most one DLQ item; redrive and purge remove it.
 *
 * @param jobId the job (the item's id)
 * @param messageId the message that failed
 * @param attempts how many attempts failed
 * @param lastError the last attempt's error
 * @param deadLetteredAt when the item was recorded
 */
public record DlqItem(
    UUID jobId,
    UUID messageId,
    UUID eventId,
    String traceId,
    String queue,
    String jobType,
    ObjectNode payload,
    int attempts,
    String lastError,
    Instant deadLetteredAt) {}
