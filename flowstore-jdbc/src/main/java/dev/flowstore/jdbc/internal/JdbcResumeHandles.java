package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.ResumeHandle;
import dev.flowstore.ResumeHandle.Status;
import dev.flowstore.ResumeHandles;
import dev.flowstore.internal.RecordValidation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Resume handles in SQL. The partial unique index on (tenant, correlation_id) WHERE status is
 * waiting keeps one waiting handle per correlation id; create inserts with ON CONFLICT DO NOTHING,
 * so a taken correlation id is reported without a unique violation (a caller's transaction stays
 * usable). resume is a conditional {@code UPDATE ... WHERE status IN ('PENDING_PAUSE', 'PAUSED')}:
 * of concurrent resumes one updates the row, the others (PostgreSQL: after waiting for its lock and
 * re-checking) update nothing.
 */
final class JdbcResumeHandles implements ResumeHandles {
  private static final String COLUMNS =
      "handle_id, session_id, correlation_id, status, resume_payload, expires_at, created_at, updated_at, paused_at, resumed_at";
  private static final String WAITING = "status IN ('PENDING_PAUSE', 'PAUSED')";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<ResumeHandle> rows;

  JdbcResumeHandles(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows =
        new Table<>(dialect, scope.tenant().value(), "flow_resume_handles", COLUMNS, this::map);
  }

  @Override
  public ResumeHandle create(UUID sessionId, String correlationId, Instant expiresAt) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.name("correlation_id", correlationId);
    UUID id = UUID.randomUUID();
    String sql =
        "INSERT INTO flow_resume_handles (tenant_id, handle_id, session_id, correlation_id, status, expires_at, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, 'PENDING_PAUSE', ?, ?, ?) ON CONFLICT DO NOTHING";
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new FlowstoreException(
                ErrorCode.INVALID_ARGUMENT, "expires_at must be in the future, got " + expiresAt);
          }
          // why: the expiry sweeper finds tenants through this table
          scope.flowstore().registerTenant(c, scope.tenant());
          Sql insert =
              rows.sql(sql, rows.tenant(), id, sessionId, correlationId, expiresAt, now, now);
          if (Columns.update(c, insert) == 0) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "correlation id '" + correlationId + "' already has a waiting resume handle");
          }
          return rows.one(c, byId(id)).orElseThrow();
        });
  }

  @Override
  public ResumeHandle markPaused(UUID handleId) {
    RecordValidation.required("handle_id", handleId);
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          Sql update =
              rows.sql(
                  "UPDATE flow_resume_handles SET status = 'PAUSED', paused_at = ?, updated_at = ? WHERE tenant_id = ? AND handle_id = ? AND status = 'PENDING_PAUSE'",
                  now,
                  now,
                  rows.tenant(),
                  handleId);
          return rows.change(
              c,
              update,
              byId(handleId),
              "resume handle " + handleId + " not found",
              h ->
                  h.resumedBeforePause()
                      ? null
                      : "resume handle "
                          + handleId
                          + " is "
                          + h.status()
                          + ": it cannot go from "
                          + h.status()
                          + " to PAUSED");
        });
  }

  @Override
  public ResumeHandle resume(String correlationId, ObjectNode payload) {
    RecordValidation.name("correlation_id", correlationId);
    ObjectNode body = payload == null ? JsonNodeFactory.instance.objectNode() : payload;
    String json =
        RecordValidation.json(
            "resume_payload", body, scope.flowstore().config().maxPayloadBytes(), true);
    String sql =
        "UPDATE flow_resume_handles SET status = 'RESUMED', resume_payload = "
            + dialect.jsonParam()
            + ", resumed_at = ?, updated_at = ?"
            + " WHERE tenant_id = ? AND handle_id = ? AND "
            + WAITING
            + " AND (expires_at IS NULL OR expires_at > ?)";
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          Optional<ResumeHandle> waiting = waiting(c, correlationId);
          if (waiting.isPresent()) {
            UUID id = waiting.get().handleId();
            Sql update = rows.sql(sql, json, now, now, rows.tenant(), id, now);
            if (Columns.update(c, update) == 1) return rows.one(c, byId(id)).orElseThrow();
          }
          Sql latest =
              rows.select()
                  .append(
                      " AND correlation_id = ? ORDER BY created_at DESC LIMIT 1", correlationId);
          ResumeHandle h =
              rows.one(c, latest)
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.NOT_FOUND,
                              "no resume handle has correlation id '" + correlationId + "'"));
          String why = h.status().waiting() ? "expired at " + h.expiresAt() : "is " + h.status();
          throw new FlowstoreException(
              ErrorCode.UNPROCESSABLE,
              "resume handle "
                  + h.handleId()
                  + " of correlation id '"
                  + correlationId
                  + "' "
                  + why
                  + ": it cannot be resumed");
        });
  }

  @Override
  public int expire(Instant now) {
    RecordValidation.required("now", now);
    String sql =
        "UPDATE flow_resume_handles SET status = 'EXPIRED', updated_at = ? WHERE tenant_id = ? AND "
            + WAITING
            + " AND expires_at IS NOT NULL AND expires_at <= ?";
    return scope.write(
        c -> Columns.update(c, rows.sql(sql, scope.flowstore().now(), rows.tenant(), now)));
  }

  @Override
  public Optional<ResumeHandle> get(UUID handleId) {
    RecordValidation.required("handle_id", handleId);
    return scope.read(c -> rows.one(c, byId(handleId)));
  }

  @Override
  public Optional<ResumeHandle> waiting(String correlationId) {
    RecordValidation.name("correlation_id", correlationId);
    return scope.read(c -> waiting(c, correlationId));
  }

  @Override
  public List<ResumeHandle> list(UUID sessionId, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    Sql sql =
        rows.select()
            .append(
                " AND session_id = ? ORDER BY created_at DESC, handle_id DESC LIMIT ?",
                sessionId,
                limit);
    return scope.read(c -> rows.list(c, sql));
  }

  private Optional<ResumeHandle> waiting(Connection c, String correlationId) throws SQLException {
    return rows.one(
        c, rows.select().append(" AND correlation_id = ? AND " + WAITING, correlationId));
  }

  private Sql byId(UUID handleId) {
    return rows.select().append(" AND handle_id = ?", handleId);
  }

  private ResumeHandle map(ResultSet rs) throws SQLException {
    return new ResumeHandle(
        dialect.getUuid(rs, "handle_id"),
        dialect.getUuid(rs, "session_id"),
        rs.getString("correlation_id"),
        Status.valueOf(rs.getString("status")),
        Columns.getJson(rs, "resume_payload"),
        Columns.getTime(dialect, rs, "expires_at"),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"),
        Columns.getTime(dialect, rs, "paused_at"),
        Columns.getTime(dialect, rs, "resumed_at"));
  }
}
