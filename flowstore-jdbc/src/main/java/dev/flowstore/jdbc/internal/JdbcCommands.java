package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Command;
import dev.flowstore.Command.Status;
import dev.flowstore.Commands;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Recorded;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The command inbox in SQL. submit inserts with ON CONFLICT DO NOTHING, which covers both partial
 * unique indexes (one active command per session and type; one command per idempotency key). On
 * PostgreSQL a concurrent insert that conflicts waits for the other transaction and then does
 * nothing; the loser then reads the winner. If the conflicting command finished in between (so
 * neither lookup finds it), the insert is simply tried again.
 */
final class JdbcCommands implements Commands {
  private static final String COLUMNS =
      "command_id, session_id, command_type, payload, idempotency_key, status, error, created_at, updated_at";
  private static final int ATTEMPTS = 5;

  private final Scope scope;
  private final Dialect dialect;

  JdbcCommands(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public Recorded<Command> submit(
      UUID sessionId, String commandType, ObjectNode payload, String idempotencyKey) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.name("command_type", commandType);
    if (idempotencyKey != null) RecordValidation.name("idempotency_key", idempotencyKey);
    ObjectNode body = payload == null ? JsonNodeFactory.instance.objectNode() : payload;
    String json =
        RecordValidation.json("payload", body, scope.flowstore().config().maxPayloadBytes(), true);
    String sql =
        "INSERT INTO command_inbox (tenant_id, "
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, "
            + dialect.jsonParam()
            + ", ?, 'RECEIVED', NULL, ?, ?) ON CONFLICT DO NOTHING";
    return scope.write(
        c -> {
          for (int i = 0; i < ATTEMPTS; i++) {
            if (idempotencyKey != null) {
              Optional<Command> byKey = byKey(c, idempotencyKey);
              if (byKey.isPresent())
                return new Recorded<>(sameRequest(byKey.get(), sessionId, commandType, body), true);
            }
            UUID id = Uuids.next();
            Instant now = scope.flowstore().now();
            int inserted =
                Columns.update(
                    c,
                    sql,
                    ps -> {
                      ps.setString(1, tenant());
                      dialect.setUuid(ps, 2, id);
                      dialect.setUuid(ps, 3, sessionId);
                      ps.setString(4, commandType);
                      ps.setString(5, json);
                      Columns.setText(ps, 6, idempotencyKey);
                      dialect.setTime(ps, 7, now);
                      dialect.setTime(ps, 8, now);
                    });
            if (inserted == 1) return new Recorded<>(find(c, id).orElseThrow(), false);
            if (idempotencyKey != null) {
              Optional<Command> byKey = byKey(c, idempotencyKey);
              if (byKey.isPresent())
                return new Recorded<>(sameRequest(byKey.get(), sessionId, commandType, body), true);
            }
            Optional<Command> active = active(c, sessionId, commandType);
            if (active.isPresent()) return new Recorded<>(active.get(), true);
          }
          throw new FlowstoreException(
              ErrorCode.BACKEND_UNAVAILABLE,
              "command inbox busy: submit of '"
                  + commandType
                  + "' conflicted "
                  + ATTEMPTS
                  + " times, retry");
        });
  }

  private static Command sameRequest(
      Command stored, UUID sessionId, String commandType, ObjectNode payload) {
    if (!stored.sessionId().equals(sessionId)
        || !stored.commandType().equals(commandType)
        || !stored.payload().equals(payload)) {
      throw new FlowstoreException(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "idempotency_key '"
              + stored.idempotencyKey()
              + "' was used for command "
              + stored.commandId()
              + " with another session, type or payload");
    }
    return stored;
  }

  @Override
  public Optional<Command> get(UUID commandId) {
    RecordValidation.required("command_id", commandId);
    return scope.read(c -> find(c, commandId));
  }

  @Override
  public Command startProcessing(UUID commandId) {
    return change(commandId, Status.RECEIVED, Status.PROCESSING, null);
  }

  @Override
  public Command complete(UUID commandId) {
    return change(commandId, Status.PROCESSING, Status.COMPLETED, null);
  }

  @Override
  public Command fail(UUID commandId, String error) {
    return change(
        commandId,
        Status.PROCESSING,
        Status.FAILED,
        RecordValidation.text("error", error, 65_536, true));
  }

  /** A conditional update from one status to the next; error is kept unless given. */
  private Command change(UUID commandId, Status from, Status to, String error) {
    RecordValidation.required("command_id", commandId);
    String sql =
        "UPDATE command_inbox SET status = ?, error = COALESCE(?, error), updated_at = ? WHERE tenant_id = ? AND command_id = ? AND status = ?";
    return scope.write(
        c -> {
          int updated =
              Columns.update(
                  c,
                  sql,
                  ps -> {
                    ps.setString(1, to.name());
                    Columns.setText(ps, 2, error);
                    dialect.setTime(ps, 3, scope.flowstore().now());
                    ps.setString(4, tenant());
                    dialect.setUuid(ps, 5, commandId);
                    ps.setString(6, from.name());
                  });
          Command cmd =
              find(c, commandId)
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.NOT_FOUND, "command " + commandId + " not found"));
          if (updated == 0) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "command "
                    + commandId
                    + " is "
                    + cmd.status()
                    + ": it cannot go from "
                    + cmd.status()
                    + " to "
                    + to
                    + " (only from "
                    + from
                    + ")");
          }
          return cmd;
        });
  }

  @Override
  public List<Command> list(UUID sessionId, Status status, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM command_inbox WHERE tenant_id = ? AND session_id = ?"
            + (status == null ? "" : " AND status = ?")
            + " ORDER BY created_at DESC, command_id DESC LIMIT ?";
    return scope.read(
        c ->
            Columns.list(
                c,
                sql,
                ps -> {
                  int i = 1;
                  ps.setString(i++, tenant());
                  dialect.setUuid(ps, i++, sessionId);
                  if (status != null) ps.setString(i++, status.name());
                  ps.setInt(i, limit);
                },
                this::map));
  }

  private Optional<Command> byKey(Connection c, String key) throws SQLException {
    return Columns.one(
        c,
        "SELECT " + COLUMNS + " FROM command_inbox WHERE tenant_id = ? AND idempotency_key = ?",
        ps -> {
          ps.setString(1, tenant());
          ps.setString(2, key);
        },
        this::map);
  }

  private Optional<Command> active(Connection c, UUID sessionId, String commandType)
      throws SQLException {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM command_inbox WHERE tenant_id = ? AND session_id = ? AND command_type = ? AND status IN ('RECEIVED', 'PROCESSING')";
    return Columns.one(
        c,
        sql,
        ps -> {
          ps.setString(1, tenant());
          dialect.setUuid(ps, 2, sessionId);
          ps.setString(3, commandType);
        },
        this::map);
  }

  private Optional<Command> find(Connection c, UUID commandId) throws SQLException {
    return Columns.one(
        c,
        "SELECT " + COLUMNS + " FROM command_inbox WHERE tenant_id = ? AND command_id = ?",
        ps -> {
          ps.setString(1, tenant());
          dialect.setUuid(ps, 2, commandId);
        },
        this::map);
  }

  private Command map(ResultSet rs) throws SQLException {
    return new Command(
        dialect.getUuid(rs, "command_id"),
        dialect.getUuid(rs, "session_id"),
        rs.getString("command_type"),
        Columns.getJson(rs, "payload"),
        rs.getString("idempotency_key"),
        Status.valueOf(rs.getString("status")),
        rs.getString("error"),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"));
  }
}
