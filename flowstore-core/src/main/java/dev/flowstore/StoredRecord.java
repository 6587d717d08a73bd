package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A record of a collection, as stored.
 *
 * @param id the caller's id ({@code TKT-2025-0001}) or a generated UUID
 * @param version the version of the record's event stream ({@link Records#streamOf}): +1 with every
 *     change
 * @param parentId the id of its parent record in the collection's parent collection, or null
 * @param archivedAt when it was archived, or null: archived records keep their data and history and
 *     are left out of queries unless asked for
 */
public record StoredRecord(
    String collection,
    String id,
    ObjectNode data,
    long version,
    String parentId,
    Instant archivedAt,
    Instant createdAt,
    Instant updatedAt) {
  public boolean archived() {
    return archivedAt != null;
  }
}
