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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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

  JdbcCheckpoints(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
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
        "INSERT INTO workflow_checkpoints (tenant_id, session_id, checkpoint_id, parent_checkpoint_id, data, bytes, metadata, created_at)"
            + " VALUES (?, ?, ?, ?, "
            + json
            + ", ?, "
            + json
            + ", ?) ON CONFLICT DO NOTHING";
    return scope.write(
        c -> {
          if (parent != null && find(c, sessionId, parent).isEmpty()) {
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
                  insert,
                  ps -> {
                    ps.setString(1, tenant());
                    dialect.setUuid(ps, 2, sessionId);
                    ps.setString(3, id);
                    Columns.setText(ps, 4, parent);
                    ps.setString(5, data);
                    if (cp.bytes() == null) ps.setNull(6, Types.BINARY);
                    else ps.setBytes(6, cp.bytes());
                    ps.setString(7, metadata);
                    dialect.setTime(ps, 8, scope.flowstore().now());
                  });
          Checkpoint stored =
              find(c, sessionId, id)
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
    return scope.read(
        c ->
            Columns.one(c, listSql(), ps -> bindList(ps, sessionId, Long.MAX_VALUE, 1), this::map));
  }

  @Override
  public Optional<Checkpoint> get(UUID sessionId, String checkpointId) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.name("checkpoint_id", checkpointId);
    return scope.read(c -> find(c, sessionId, checkpointId));
  }

  @Override
  public List<Checkpoint> list(UUID sessionId, long beforeSequence, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    return scope.read(
        c ->
            Columns.list(
                c, listSql(), ps -> bindList(ps, sessionId, beforeSequence, limit), this::map));
  }

  @Override
  public Optional<Checkpoint> resume(String resumeToken) {
    Checkpoint.Position at = Checkpoint.Position.ofToken(resumeToken);
    return scope.read(c -> find(c, at.sessionId(), at.checkpointId()));
  }

  private static String listSql() {
    return "SELECT "
        + COLUMNS
        + " FROM workflow_checkpoints WHERE tenant_id = ? AND session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
  }

  private void bindList(java.sql.PreparedStatement ps, UUID sessionId, long before, int limit)
      throws SQLException {
    ps.setString(1, tenant());
    dialect.setUuid(ps, 2, sessionId);
    ps.setLong(3, before);
    ps.setInt(4, limit);
  }

  private Optional<Checkpoint> find(Connection c, UUID sessionId, String checkpointId)
      throws SQLException {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM workflow_checkpoints WHERE tenant_id = ? AND session_id = ? AND checkpoint_id = ?";
    return Columns.one(
        c,
        sql,
        ps -> {
          ps.setString(1, tenant());
          dialect.setUuid(ps, 2, sessionId);
          ps.setString(3, checkpointId);
        },
        this::map);
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
