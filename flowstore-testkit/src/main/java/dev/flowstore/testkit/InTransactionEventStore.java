package dev.flowstore.testkit;

import dev.flowstore.AppendResult;
import dev.flowstore.Direction;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.List;

/**
 * An EventStore whose every call runs through {@link Flowstore#inTransaction}: the "caller's
 * transaction" mode.
 */
public record InTransactionEventStore(Flowstore fs, TenantId tenant) implements EventStore {
  @Override
  public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
    return fs.inTransaction(tenant, tx -> tx.events().append(stream, expected, events));
  }

  @Override
  public List<RecordedEvent> readStream(
      String stream, long fromVersion, int limit, Direction direction) {
    return fs.inTransaction(
        tenant, tx -> tx.events().readStream(stream, fromVersion, limit, direction));
  }

  @Override
  public long streamVersion(String stream) {
    return fs.inTransaction(tenant, tx -> tx.events().streamVersion(stream));
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int limit, String category) {
    return fs.inTransaction(tenant, tx -> tx.events().readAll(afterPosition, limit, category));
  }

  /** Refused inside a transaction, as {@link EventStore#awaitAll} says. */
  @Override
  public List<RecordedEvent> awaitAll(
      long afterPosition, int limit, String category, Duration timeout) {
    return fs.inTransaction(
        tenant, tx -> tx.events().awaitAll(afterPosition, limit, category, timeout));
  }
}
