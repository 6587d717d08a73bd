package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One entry of a tenant's audit log.
 *
 * @param seq 1, 2, 3... without gaps, per tenant
 * @param before the resource before the action (empty object when none)
 * @param after the resource after the action (empty object when none)
 * @param prevHash the hash of entry {@code seq - 1} (64 zeros for the first)
 * @param hash SHA-256 over prevHash and this entry's canonical content, hex
 */
public record AuditEntry(
    long seq,
    String actor,
    String action,
    String resourceType,
    String resourceId,
    String traceId,
    ObjectNode before,
    ObjectNode after,
    Instant createdAt,
    String prevHash,
    String hash) {}
