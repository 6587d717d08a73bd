package dev.flowstore.redis.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.spi.RecordVersions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One tenant's records through the Redis cache. {@link #get} and {@link #getByUnique} serve an
 * entry only when it is the record's committed version (by id: the store's one-statement probe,
 * sent while the Redis {@code GET} travels; by unique value: the value's holder and its version,
 * one probe too, after the {@code GET}), else read the SQL store and store what they read, as
 * {@link CachedSessions} does. Everything else goes to the SQL store: writes (the store invalidates
 * after their commit, {@link RedisSessionCache#invalidateRecord}) and the reads that are queries or
 * replays.
 */
final class CachedRecords implements Records {
  private final RedisSessionCache cache;
  private final Keys keys;
  private final Records truth;
  private final RecordVersions versions;

  CachedRecords(RedisSessionCache cache, Keys keys, Records truth, RecordVersions versions) {
    this.cache = cache;
    this.keys = keys;
    this.truth = truth;
    this.versions = versions;
  }

  @Override
  public Records attributedTo(String actor, String traceId) {
    return new CachedRecords(cache, keys, truth.attributedTo(actor, traceId), versions);
  }

  @Override
  public Optional<StoredRecord> get(String collection, String id) {
    // why: a malformed address gets the store's error before it can become a Redis key
    CollectionRules.address(collection, id);
    // why the probe is sent while the GET travels: a hit then costs the slower of the two round
    // trips, not their sum, and the entry is still served only if it is the committed version
    return cache.getProbed(
        keys.record(collection, id),
        cache.recordCounters,
        text -> RecordCodec.decode(text, collection, id),
        RecordCodec::encode,
        () -> versions.current(collection, id),
        (r, committed) -> committed.equals(OptionalLong.of(r.version())),
        OptionalLong::isEmpty,
        () -> truth.get(collection, id));
  }

  @Override
  public Optional<StoredRecord> getByUnique(String collection, String pointer, Object value) {
    JsonNode v = CollectionRules.uniqueLookup(collection, pointer, value);
    // why: the holder probe checks both that this record still holds the value and that the entry
    // is its committed version: a value that moved to another record is never served from here
    return cache.get(
        keys.recordByUnique(collection, pointer, v),
        cache.recordCounters,
        text -> RecordCodec.decode(text, collection, null),
        RecordCodec::encode,
        r ->
            versions
                .holder(collection, pointer, v)
                .equals(Optional.of(new RecordVersions.Held(r.id(), r.version()))),
        () -> truth.getByUnique(collection, pointer, v));
  }

  @Override
  public StoredRecord create(String collection, NewRecord record) {
    return truth.create(collection, record);
  }

  @Override
  public StoredRecord getAsOf(String collection, String id, long version) {
    return truth.getAsOf(collection, id, version);
  }

  @Override
  public StoredRecord replace(String collection, String id, long expectedVersion, ObjectNode data) {
    return truth.replace(collection, id, expectedVersion, data);
  }

  @Override
  public StoredRecord patch(
      String collection, String id, long expectedVersion, ObjectNode mergePatch) {
    return truth.patch(collection, id, expectedVersion, mergePatch);
  }

  @Override
  public StoredRecord archive(String collection, String id, long expectedVersion) {
    return truth.archive(collection, id, expectedVersion);
  }

  @Override
  public StoredRecord unarchive(String collection, String id, long expectedVersion) {
    return truth.unarchive(collection, id, expectedVersion);
  }

  @Override
  public int applyRetention(String collection, java.time.Instant now, int max) {
    // why: each purge goes through delete/archive, which register their invalidations
    return truth.applyRetention(collection, now, max);
  }

  @Override
  public void delete(String collection, String id, long expectedVersion) {
    truth.delete(collection, id, expectedVersion);
  }

  @Override
  public RecordPage query(RecordQuery query) {
    return truth.query(query);
  }

  @Override
  public long count(RecordQuery query) {
    return truth.count(query);
  }

  @Override
  public List<RecordedEvent> history(String collection, String id, long fromVersion, int limit) {
    return truth.history(collection, id, fromVersion, limit);
  }
}
