package dev.flowstore.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.Transaction;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Records whose every call runs through {@link Flowstore#inTransaction}: the "caller's transaction"
 * mode.
 */
public record InTransactionRecords(Flowstore fs, TenantId tenant, String actor, String traceId)
    implements Records {
  public InTransactionRecords(Flowstore fs, TenantId tenant) {
    this(fs, tenant, null, null);
  }

  private <T> T in(Function<Records, T> work) {
    return fs.inTransaction(tenant, (Transaction tx) -> work.apply(records(tx)));
  }

  private Records records(Transaction tx) {
    return actor == null && traceId == null
        ? tx.records()
        : tx.records().attributedTo(actor, traceId);
  }

  @Override
  public Records attributedTo(String actor, String traceId) {
    return new InTransactionRecords(fs, tenant, actor, traceId);
  }

  @Override
  public StoredRecord create(String collection, NewRecord record) {
    return in(r -> r.create(collection, record));
  }

  @Override
  public Optional<StoredRecord> getByUnique(String collection, String pointer, Object value) {
    return in(r -> r.getByUnique(collection, pointer, value));
  }

  @Override
  public Optional<StoredRecord> get(String collection, String id) {
    return in(r -> r.get(collection, id));
  }

  @Override
  public StoredRecord getAsOf(String collection, String id, long version) {
    return in(r -> r.getAsOf(collection, id, version));
  }

  @Override
  public StoredRecord replace(String collection, String id, long expectedVersion, ObjectNode data) {
    return in(r -> r.replace(collection, id, expectedVersion, data));
  }

  @Override
  public StoredRecord patch(
      String collection, String id, long expectedVersion, ObjectNode mergePatch) {
    return in(r -> r.patch(collection, id, expectedVersion, mergePatch));
  }

  @Override
  public StoredRecord archive(String collection, String id, long expectedVersion) {
    return in(r -> r.archive(collection, id, expectedVersion));
  }

  @Override
  public StoredRecord unarchive(String collection, String id, long expectedVersion) {
    return in(r -> r.unarchive(collection, id, expectedVersion));
  }

  @Override
  public void delete(String collection, String id, long expectedVersion) {
    in(
        r -> {
          r.delete(collection, id, expectedVersion);
          return null;
        });
  }

  @Override
  public RecordPage query(RecordQuery query) {
    return in(r -> r.query(query));
  }

  @Override
  public long count(RecordQuery query) {
    return in(r -> r.count(query));
  }

  @Override
  public List<RecordedEvent> history(String collection, String id, long fromVersion, int limit) {
    return in(r -> r.history(collection, id, fromVersion, limit));
  }

  @Override
  public int applyRetention(String collection, java.time.Instant now, int max) {
    return in(r -> r.applyRetention(collection, now, max));
  }
}
