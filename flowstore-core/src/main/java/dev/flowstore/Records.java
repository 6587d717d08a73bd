package dev.flowstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * One tenant's records of the declared collections ({@link Collections}). Every change commits
 * together with the event that records it in the record's stream {@link #streamOf} ({@code
 * record.created}, {@code record.replaced}, {@code record.patched}, {@code record.archived}, {@code
 * record.unarchived}, {@code record.deleted}; payload: the fields set and removed, and the before
 * and after values of the indexed fields that changed; metadata: trace_id and actor), so a record's
 * history is a read of its stream and any version can be rebuilt ({@link #getAsOf}). Inside {@code
 * inTransaction} the changes commit with the transaction's events, outbox messages, jobs and audit
 * entries.
 *
 * <p>Every call raises {@code INVALID_ARGUMENT} for a malformed collection name, {@code NOT_FOUND}
 * for an undeclared collection and {@code INVALID_ID} for a malformed record id.
 */
public interface Records {
  /** The event stream of a record: {@code <collection>-<id>}. */
  static String streamOf(String collection, String id) {
    return collection + "-" + id;
  }

  /**
   * The same records, with {@code actor} (who made the change: a user, an agent, a service) and
   * {@code traceId} written into the metadata of every change's event. Either may be null.
   */
  Records attributedTo(String actor, String traceId);

  /**
   * Creates a record at the next version of its stream (0 for an id never used; a deleted record's
   * id continues its stream).
   *
   * @throws FlowstoreException ALREADY_EXISTS when the id exists, or a unique field's value is
   *     another record's (the message names the field); INVALID_ARGUMENT when the data breaks the
   *     schema or an indexed field's type (the message names each failing JSON pointer);
   *     INVALID_JSON without data; NOT_FOUND for a missing parent; PAYLOAD_TOO_LARGE
   */
  StoredRecord create(String collection, NewRecord record);

  /** The record, archived or not. */
  Optional<StoredRecord> get(String collection, String id);

  /**
   * The record, archived or not, that holds {@code value} in the unique field {@code pointer} (e.g.
   * an agent by {@code /username}): one lookup of the collection's unique values, not a query.
   *
   * @param value a JSON value of the field's type ({@link JsonNode}, or a String, number, boolean
   *     or {@link java.time.Instant} as in {@link RecordFilter#eq})
   * @throws FlowstoreException INVALID_ARGUMENT when {@code pointer} is not a unique field of the
   *     collection, or the value is null or not of the field's type; UNPROCESSABLE while the
   *     field's index is still being built
   */
  Optional<StoredRecord> getByUnique(String collection, String pointer, Object value);

  /**
   * The record as it was at {@code version}, rebuilt from its events.
   *
   * @throws FlowstoreException NOT_FOUND when the record has no such version, or was deleted then
   */
  StoredRecord getAsOf(String collection, String id, long version);

  /**
   * Replaces the record's data if it is at {@code expectedVersion}.
   *
   * @throws FlowstoreException VERSION_CONFLICT (nothing written), NOT_FOUND, and as {@link
   *     #create}
   */
  StoredRecord replace(String collection, String id, long expectedVersion, ObjectNode data);

  /**
   * Applies a JSON merge patch (RFC 7396: a null removes a field) if the record is at {@code
   * expectedVersion}; the result must satisfy the schema.
   *
   * @throws FlowstoreException as {@link #replace}
   */
  StoredRecord patch(String collection, String id, long expectedVersion, ObjectNode mergePatch);

  /**
   * Archives the record (kept, with its history, out of queries unless asked for).
   *
   * @throws FlowstoreException VERSION_CONFLICT, NOT_FOUND; UNPROCESSABLE when already archived
   */
  StoredRecord archive(String collection, String id, long expectedVersion);

  /**
   * Brings an archived record back.
   *
   * @throws FlowstoreException VERSION_CONFLICT, NOT_FOUND; UNPROCESSABLE when not archived
   */
  StoredRecord unarchive(String collection, String id, long expectedVersion);

  /**
   * Deletes the record and its index entries; its history stays in its stream.
   *
   * @throws FlowstoreException VERSION_CONFLICT, NOT_FOUND; UNPROCESSABLE while it has children
   */
  void delete(String collection, String id, long expectedVersion);

  /**
   * A page of records.
   *
   * @throws FlowstoreException INVALID_ARGUMENT for a field that is not indexed, a value not of the
   *     field's type, a bad limit/offset/cursor, or an offset with a cursor; UNPROCESSABLE for a
   *     field whose index is still being built
   */
  RecordPage query(RecordQuery query);

  /** How many records match the query's filters, parent and archived choice (its page ignored). */
  long count(RecordQuery query);

  /**
   * The record's events, oldest first, from {@code fromVersion}: its history (deleted records'
   * too).
   *
   * @throws FlowstoreException NOT_FOUND when the record never existed
   */
  List<RecordedEvent> history(String collection, String id, long fromVersion, int limit);

  /**
   * Applies the collection's retention ({@link CollectionSpec#withRetention}) to this tenant's
   * records due at {@code now}: deletes or archives at most {@code max} of them, oldest first, each
   * through {@link #delete} or {@link #archive} (so each writes its {@code record.deleted} or
   * {@code record.archived} event and drops its index entries; the history stays). Already archived
   * records are not archived again. A record another writer changed meanwhile, or one that still
   * has children, is skipped (the next round sees it again). The {@code serve} sweeper calls it for
   * every collection with a retention and every tenant, in batches.
   *
   * @return how many records were deleted or archived (0 when the collection has no retention)
   * @throws FlowstoreException NOT_FOUND for an undeclared collection; INVALID_ARGUMENT for {@code
   *     max} outside 1..{@link Queue#MAX_PURGE}
   */
  int applyRetention(String collection, java.time.Instant now, int max);
}
