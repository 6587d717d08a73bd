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
  private final Table<Command> rows;

  JdbcCommands(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "command_inbox", COLUMNS, this::map);
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
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          for (int i = 0; i < ATTEMPTS; i++) {
            if (idempotencyKey != null) {
              Optional<Command> byKey = byKey(c, idempotencyKey);
              if (byKey.isPresent())
                return new Recorded<>(sameRequest(byKey.get(), sessionId, commandType, body), true);
            }
            UUID id = Uuids.next();
            Instant now = scope.flowstore().now();
            Sql insert =
                rows.sql(
                    sql, rows.tenant(), id, sessionId, commandType, json, idempotencyKey, now, now);
            if (Columns.update(c, insert) == 1)
              return new Recorded<>(rows.one(c, byId(id)).orElseThrow(), false);
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
    return scope.read(c -> rows.one(c, byId(commandId)));
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
    return scope.write(
        c -> {
          Sql update =
              rows.sql(
                  "UPDATE command_inbox SET status = ?, error = COALESCE(?, error), updated_at = ? WHERE tenant_id = ? AND command_id = ? AND status = ?",
                  to.name(),
                  error,
                  scope.flowstore().now(),
                  rows.tenant(),
                  commandId,
                  from.name());
          return rows.change(
              c,
              update,
              byId(commandId),
              "command " + commandId + " not found",
              cmd ->
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
        });
  }

  @Override
  public List<Command> list(UUID sessionId, Status status, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    Sql sql = rows.select().append(" AND session_id = ?", sessionId);
    if (status != null) sql.append(" AND status = ?", status.name());
    sql.append(" ORDER BY created_at DESC, command_id DESC LIMIT ?", limit);
    return scope.read(c -> rows.list(c, sql));
  }

  private Optional<Command> byKey(Connection c, String key) throws SQLException {
    return rows.one(c, rows.select().append(" AND idempotency_key = ?", key));
  }

  private Optional<Command> active(Connection c, UUID sessionId, String commandType)
      throws SQLException {
    Sql sql =
        rows.select()
            .append(
                " AND session_id = ? AND command_type = ? AND status IN ('RECEIVED', 'PROCESSING')",
                sessionId,
                commandType);
    return rows.one(c, sql);
  }

  private Sql byId(UUID commandId) {
    return rows.select().append(" AND command_id = ?", commandId);
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
