package dev.flowstore;

import java.time.Instant;
import java.util.List;

/**
 * A tenant's append-only, hash-chained audit log: each entry carries the previous entry's hash, so
 * {@link #verify()} detects an entry that was edited, deleted or inserted behind flowstore's back.
 */
public interface AuditLog {
  /**
   * Appends an entry at the next sequence number (entries of one tenant are serialized).
   *
   * @throws FlowstoreException INVALID_ARGUMENT for missing or overlong fields; INVALID_JSON /
   *     PAYLOAD_TOO_LARGE for before/after
   */
  AuditEntry append(NewAuditEntry entry);

  /** A query over the log; null fields do not filter. */
  record Query(
      String resourceType, String resourceId, Instant from, Instant to, long afterSeq, int limit) {
    public static Query all(int limit) {
      return new Query(null, null, null, null, 0, limit);
    }
  }

  /** Entries matching {@code query}, oldest first, with seq > {@code afterSeq}. */
  List<AuditEntry> list(Query query);

  /**
   * The result of walking the chain.
   *
   * @param ok whether every entry is intact and in place
   * @param checked how many entries were checked
   * @param firstBadSeq the first entry that does not fit, or 0
   * @param problem what is wrong there, or null
   */
  record Verification(boolean ok, long checked, long firstBadSeq, String problem) {}

  /**
   * Recomputes the whole chain and reports the first entry that was edited, deleted or inserted.
   */
  Verification verify();
}
