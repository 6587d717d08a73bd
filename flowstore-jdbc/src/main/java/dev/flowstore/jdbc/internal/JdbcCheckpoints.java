package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Checkpoint;
import dev.flowstore.Checkpoints;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.RecordValidation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Checkpoints in SQL. Append-only: rows are inserted, never updated. The sequence comes from the
 * database (an identity column on PostgreSQL, the rowid on SQLite), so concurrent saves never
 * contend on a counter.
 */
final class JdbcCheckpoints implements Checkpoints {
  private static final String COLUMNS =
      "session_id, checkpoint_id, parent_checkpoint_id, seq, data, bytes, metadata, created_at";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<Checkpoint> rows;

  JdbcCheckpoints(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows =
        new Table<>(dialect, scope.tenant().value(), "workflow_checkpoints", COLUMNS, this::map);
  }

  @Override
  public Checkpoint save(UUID sessionId, NewCheckpoint cp) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.required("checkpoint", cp);
    String id =
        cp.checkpointId() == null
            ? UUID.randomUUID().toString()
            : RecordValidation.name("checkpoint_id", cp.checkpointId());
    String parent =
        cp.parentCheckpointId() == null
            ? null
            : RecordValidation.name("parent_checkpoint_id", cp.parentCheckpointId());
    int max = scope.flowstore().config().maxPayloadBytes();
    String data = RecordValidation.json("data", cp.data(), max, true);
    ObjectNode metadataNode =
        cp.metadata() == null ? JsonNodeFactory.instance.objectNode() : cp.metadata();
    String metadata = RecordValidation.json("metadata", metadataNode, max, true);
    if (cp.bytes() != null) RecordValidation.size("bytes", cp.bytes().length, max);
    String json = dialect.jsonParam();
    String insert =
        "INSERT INTO workflow_checkpoints ("
            + dialect.seqColumns()
            + "tenant_id, session_id, checkpoint_id, parent_checkpoint_id, data, bytes, metadata, created_at)"
            + " VALUES ("
            + dialect.seqValues("workflow_checkpoints")
            + "?, ?, ?, ?, "
            + json
            + ", ?, "
            + json
            + ", ?) ON CONFLICT DO NOTHING";
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          if (parent != null && rows.one(c, byId(sessionId, parent)).isEmpty()) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "parent_checkpoint_id '"
                    + parent
                    + "' is not a checkpoint of session "
                    + sessionId);
          }
          int inserted =
              Columns.update(
                  c,
                  rows.sql(
                      insert,
                      rows.tenant(),
                      sessionId,
                      id,
                      parent,
                      data,
                      cp.bytes(),
                      metadata,
                      scope.flowstore().now()));
          Checkpoint stored =
              rows.one(c, byId(sessionId, id))
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.INTERNAL, "checkpoint vanished after saving it"));
          if (inserted == 0 && !sameContent(stored, parent, data, cp.bytes(), metadata)) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "checkpoint '"
                    + id
                    + "' of session "
                    + sessionId
                    + " already exists with other content; checkpoints are append-only");
          }
          return stored;
        });
  }

  private static boolean sameContent(
      Checkpoint stored, String parent, String data, byte[] bytes, String metadata) {
    return Objects.equals(stored.parentCheckpointId(), parent)
        && stored.data().equals(Json.parseObject("data", data))
        && stored.metadata().equals(Json.parseObject("metadata", metadata))
        && Arrays.equals(stored.bytes(), bytes);
  }

  @Override
  public Optional<Checkpoint> latest(UUID sessionId) {
    RecordValidation.required("session_id", sessionId);
    return scope.read(c -> rows.one(c, before(sessionId, Long.MAX_VALUE, 1)));
  }

  @Override
  public Optional<Checkpoint> get(UUID sessionId, String checkpointId) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.name("checkpoint_id", checkpointId);
    return scope.read(c -> rows.one(c, byId(sessionId, checkpointId)));
  }

  @Override
  public List<Checkpoint> list(UUID sessionId, long beforeSequence, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    return scope.read(c -> rows.list(c, before(sessionId, beforeSequence, limit)));
  }

  @Override
  public Optional<Checkpoint> resume(String resumeToken) {
    Checkpoint.Position at = Checkpoint.Position.ofToken(resumeToken);
    return scope.read(c -> rows.one(c, byId(at.sessionId(), at.checkpointId())));
  }

  /** The session's checkpoints below a sequence, newest first. */
  private Sql before(UUID sessionId, long beforeSequence, int limit) {
    return rows.select()
        .append(
            " AND session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            sessionId,
            beforeSequence,
            limit);
  }

  private Sql byId(UUID sessionId, String checkpointId) {
    return rows.select()
        .append(" AND session_id = ? AND checkpoint_id = ?", sessionId, checkpointId);
  }

  private Checkpoint map(ResultSet rs) throws SQLException {
    return new Checkpoint(
        dialect.getUuid(rs, "session_id"),
        rs.getString("checkpoint_id"),
        rs.getString("parent_checkpoint_id"),
        rs.getLong("seq"),
        Columns.getJson(rs, "data"),
        rs.getBytes("bytes"),
        Columns.getJson(rs, "metadata"),
        dialect.getTime(rs, "created_at"));
  }
}
