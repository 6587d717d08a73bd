package dev.flowstore.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.Outbox;
import dev.flowstore.OutboxMessage;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An Outbox whose every call runs through {@link Flowstore#inTransaction}: the "caller's
 * transaction" mode.
 */
public record InTransactionOutbox(Flowstore fs, TenantId tenant) implements Outbox {
  @Override
  public OutboxMessage add(
      String destination, ObjectNode payload, ObjectNode headers, UUID eventId) {
    return fs.inTransaction(tenant, tx -> tx.outbox().add(destination, payload, headers, eventId));
  }

  @Override
  public Optional<OutboxMessage> get(UUID messageId) {
    return fs.inTransaction(tenant, tx -> tx.outbox().get(messageId));
  }

  @Override
  public dev.flowstore.OutboxStats stats() {
    return fs.inTransaction(tenant, tx -> tx.outbox().stats());
  }

  @Override
  public List<OutboxMessage> list(OutboxMessage.Status status, int limit, UUID afterMessageId) {
    return fs.inTransaction(tenant, tx -> tx.outbox().list(status, limit, afterMessageId));
  }

  @Override
  public List<OutboxMessage> claim(int max, Duration hold) {
    return fs.inTransaction(tenant, tx -> tx.outbox().claim(max, hold));
  }

  @Override
  public boolean markPublished(UUID messageId) {
    return fs.inTransaction(tenant, tx -> tx.outbox().markPublished(messageId));
  }

  @Override
  public boolean markFailed(UUID messageId, String error, Duration retryAfter) {
    return fs.inTransaction(tenant, tx -> tx.outbox().markFailed(messageId, error, retryAfter));
  }

  @Override
  public OutboxMessage replay(UUID messageId) {
    return fs.inTransaction(tenant, tx -> tx.outbox().replay(messageId));
  }

  @Override
  public int purgePublished(Instant publishedBefore, int max) {
    return fs.inTransaction(tenant, tx -> tx.outbox().purgePublished(publishedBefore, max));
  }
}
