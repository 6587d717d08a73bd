package dev.flowstore.jdbc.internal;

import dev.flowstore.ProcessedMessages;
import dev.flowstore.internal.RecordValidation;
import java.util.UUID;

/**
 * Consumer de-duplication in SQL: one INSERT ... ON CONFLICT DO NOTHING; the row count says whether
 * it was the first time. A concurrent insert of the same key waits for the other transaction (the
 * primary key's lock) and then inserts nothing, so exactly one caller gets true.
 */
final class JdbcProcessedMessages implements ProcessedMessages {
  private final Scope scope;
  private final Dialect dialect;

  JdbcProcessedMessages(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  @Override
  public boolean markProcessed(UUID eventId, String consumer) {
    RecordValidation.required("event_id", eventId);
    RecordValidation.name("consumer", consumer);
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          return Columns.update(
                  c,
                  new Sql(
                      dialect,
                      "INSERT INTO processed_messages (tenant_id, consumer, event_id, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      scope.tenant().value(),
                      consumer,
                      eventId,
                      scope.flowstore().now()))
              == 1;
        });
  }

  @Override
  public boolean isProcessed(UUID eventId, String consumer) {
    RecordValidation.required("event_id", eventId);
    RecordValidation.name("consumer", consumer);
    return scope.read(
        c ->
            Columns.one(
                    c,
                    new Sql(
                        dialect,
                        "SELECT 1 FROM processed_messages WHERE tenant_id = ? AND consumer = ? AND event_id = ?",
                        scope.tenant().value(),
                        consumer,
                        eventId),
                    rs -> true)
                .isPresent());
  }
}
