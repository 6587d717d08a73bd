package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.RecordChanges;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A record's history: its stream's events, and any past version folded from them ({@code
 * record.created} carries the whole data, data changes the fields set and removed). The history is
 * the truth, the row a snapshot.
 */
final class RecordHistory {
  private final Scope scope;

  RecordHistory(Scope scope) {
    this.scope = scope;
  }

  List<RecordedEvent> history(String collection, String id, long fromVersion, int limit) {
    CollectionRules.address(collection, id);
    EventValidation.limit(limit);
    return scope.read(
        c -> {
          JdbcCollections.require(scope.flowstore().dialect(), c, collection);
          JdbcEventStore events = events(c);
          String stream = Records.streamOf(collection, id);
          List<RecordedEvent> page =
              events.readStream(stream, fromVersion, limit, Direction.FORWARD);
          if (page.isEmpty() && streamVersion(c, stream) < 0)
            throw CollectionRules.recordNotFound(collection, id);
          return page;
        });
  }

  StoredRecord asOf(String collection, String id, long version) {
    CollectionRules.address(collection, id);
    if (version < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "as_of_version must be >= 0, got " + version);
    return scope.read(
        c -> {
          JdbcCollections.require(scope.flowstore().dialect(), c, collection);
          JdbcEventStore events = events(c);
          String stream = Records.streamOf(collection, id);
          StoredRecord rec = null;
          long next = 0;
          long seen = -1;
          while (next <= version) {
            List<RecordedEvent> page =
                events.readStream(
                    stream, next, (int) Math.min(1000, version - next + 1), Direction.FORWARD);
            if (page.isEmpty()) break;
            for (RecordedEvent e : page) rec = fold(rec, collection, id, e);
            seen = page.get(page.size() - 1).version();
            next = seen + 1;
          }
          if (seen != version)
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND,
                "record '" + id + "' of collection '" + collection + "' has no version " + version);
          if (rec == null)
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND,
                "record '"
                    + id
                    + "' of collection '"
                    + collection
                    + "' was deleted at version "
                    + version);
          return rec;
        });
  }

  private static StoredRecord fold(StoredRecord r, String collection, String id, RecordedEvent e) {
    Instant at = e.createdAt();
    long v = e.version();
    return switch (e.type()) {
      case "record.created" ->
          new StoredRecord(
              collection,
              id,
              ((ObjectNode) e.payload().path("data")).deepCopy(),
              v,
              e.payload().path("parent_id").textValue(),
              null,
              at,
              at);
      case "record.deleted" -> null;
      case "record.archived" ->
          new StoredRecord(collection, id, r.data(), v, r.parentId(), at, r.createdAt(), at);
      case "record.unarchived" ->
          new StoredRecord(collection, id, r.data(), v, r.parentId(), null, r.createdAt(), at);
      default ->
          new StoredRecord(
              collection,
              id,
              RecordChanges.replay(r.data().deepCopy(), e.payload()),
              v,
              r.parentId(),
              r.archivedAt(),
              r.createdAt(),
              at);
    };
  }

  private JdbcEventStore events(Connection c) {
    return new JdbcEventStore(scope.flowstore().joined(scope.tenant(), c));
  }

  private long streamVersion(Connection c, String stream) throws SQLException {
    return new EventAppends(scope.flowstore().joined(scope.tenant(), c)).streamVersion(c, stream);
  }
}
