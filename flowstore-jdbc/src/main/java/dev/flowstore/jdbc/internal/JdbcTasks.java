package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Task;
import dev.flowstore.Task.Status;
import dev.flowstore.Tasks;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Uuids;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Async tasks in SQL. Every change is one {@code UPDATE ... WHERE status IN (<allowed from>)}: on
 * PostgreSQL a concurrent change of the same row waits for the row lock and then re-checks the
 * status, on SQLite writers are serialized, so two changes from one status cannot both succeed.
 * When nothing was updated the row is read to tell NOT_FOUND from an illegal transition.
 */
final class JdbcTasks implements Tasks {
  private static final String COLUMNS =
      "task_id, task_type, session_id, status, progress, result, error, created_at, updated_at, started_at, completed_at";
  private static final BigDecimal HUNDRED = new BigDecimal("100.00");

  private final Scope scope;
  private final Dialect dialect;

  JdbcTasks(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public Task create(String taskType, UUID sessionId) {
    RecordValidation.name("task_type", taskType);
    UUID id = Uuids.next();
    String sql =
        "INSERT INTO async_tasks (tenant_id, task_id, task_type, session_id, status, progress, created_at, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?)";
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          Columns.update(
              c,
              sql,
              ps -> {
                ps.setString(1, tenant());
                dialect.setUuid(ps, 2, id);
                ps.setString(3, taskType);
                Columns.setUuid(dialect, ps, 4, sessionId);
                ps.setBigDecimal(5, BigDecimal.ZERO.setScale(2));
                dialect.setTime(ps, 6, now);
                dialect.setTime(ps, 7, now);
              });
          return find(c, id).orElseThrow();
        });
  }

  @Override
  public Optional<Task> get(UUID taskId) {
    RecordValidation.required("task_id", taskId);
    return scope.read(c -> find(c, taskId));
  }

  @Override
  public Task start(UUID taskId) {
    return change(
        taskId,
        Status.RUNNING,
        Status.from(Status.RUNNING),
        "started_at = ?",
        (ps, now) -> dialect.setTime(ps, 1, now));
  }

  @Override
  public Task progress(UUID taskId, BigDecimal progress) {
    RecordValidation.required("progress", progress);
    if (progress.signum() < 0 || progress.compareTo(HUNDRED) > 0) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "progress must be between 0 and 100, got " + progress.toPlainString());
    }
    BigDecimal rounded = progress.setScale(2, RoundingMode.HALF_UP);
    return change(
        taskId,
        Status.RUNNING,
        Set.of(Status.RUNNING),
        "progress = ?",
        (ps, now) -> ps.setBigDecimal(1, rounded));
  }

  @Override
  public Task complete(UUID taskId, ObjectNode result) {
    String json =
        RecordValidation.json(
            "result", result, scope.flowstore().config().maxPayloadBytes(), false);
    String set = "progress = ?, result = " + dialect.jsonParam() + ", completed_at = ?";
    return change(
        taskId,
        Status.COMPLETED,
        Status.from(Status.COMPLETED),
        set,
        (ps, now) -> {
          ps.setBigDecimal(1, HUNDRED);
          Columns.setText(ps, 2, json);
          dialect.setTime(ps, 3, now);
        });
  }

  @Override
  public Task fail(UUID taskId, String error) {
    String err = RecordValidation.text("error", error, 65_536, true);
    return change(
        taskId,
        Status.FAILED,
        Status.from(Status.FAILED),
        "error = ?, completed_at = ?",
        (ps, now) -> {
          ps.setString(1, err);
          dialect.setTime(ps, 2, now);
        });
  }

  @Override
  public Task cancel(UUID taskId) {
    return change(
        taskId,
        Status.CANCELLED,
        Status.from(Status.CANCELLED),
        "completed_at = ?",
        (ps, now) -> dialect.setTime(ps, 1, now));
  }

  @Override
  public List<Task> list(UUID sessionId, Status status, int limit) {
    RecordValidation.limit(limit);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM async_tasks WHERE tenant_id = ?"
            + (sessionId == null ? "" : " AND session_id = ?")
            + (status == null ? "" : " AND status = ?")
            + " ORDER BY created_at DESC, task_id DESC LIMIT ?";
    return scope.read(
        c ->
            Columns.list(
                c,
                sql,
                ps -> {
                  int i = 1;
                  ps.setString(i++, tenant());
                  if (sessionId != null) dialect.setUuid(ps, i++, sessionId);
                  if (status != null) ps.setString(i++, status.name());
                  ps.setInt(i, limit);
                },
                this::map));
  }

  /** Binds the parameters of a SET clause, from 1, given the time of the change. */
  private interface SetBinder {
    void bind(java.sql.PreparedStatement ps, Instant now) throws SQLException;
  }

  /**
   * Moves a task to {@code to} when its status is one of {@code from}, with {@code set} changed
   * along.
   */
  private Task change(UUID taskId, Status to, Set<Status> from, String set, SetBinder bind) {
    RecordValidation.required("task_id", taskId);
    int setParams = (int) set.chars().filter(ch -> ch == '?').count();
    String in =
        from.stream().map(s -> "'" + s.name() + "'").sorted().collect(Collectors.joining(", "));
    String sql =
        "UPDATE async_tasks SET "
            + set
            + ", status = ?, updated_at = ? WHERE tenant_id = ? AND task_id = ? AND status IN ("
            + in
            + ")";
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          int updated =
              Columns.update(
                  c,
                  sql,
                  ps -> {
                    bind.bind(ps, now);
                    ps.setString(setParams + 1, to.name());
                    dialect.setTime(ps, setParams + 2, now);
                    ps.setString(setParams + 3, tenant());
                    dialect.setUuid(ps, setParams + 4, taskId);
                  });
          Task task =
              find(c, taskId)
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.NOT_FOUND, "task " + taskId + " not found"));
          if (updated == 0) {
            String what =
                from.contains(to)
                    ? "change its progress unless " + to
                    : "go from " + task.status() + " to " + to;
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "task " + taskId + " is " + task.status() + ": it cannot " + what);
          }
          return task;
        });
  }

  private Optional<Task> find(Connection c, UUID taskId) throws SQLException {
    return Columns.one(
        c,
        "SELECT " + COLUMNS + " FROM async_tasks WHERE tenant_id = ? AND task_id = ?",
        ps -> {
          ps.setString(1, tenant());
          dialect.setUuid(ps, 2, taskId);
        },
        this::map);
  }

  private Task map(ResultSet rs) throws SQLException {
    return new Task(
        dialect.getUuid(rs, "task_id"),
        rs.getString("task_type"),
        Columns.getUuid(dialect, rs, "session_id"),
        Status.valueOf(rs.getString("status")),
        new BigDecimal(rs.getString("progress")).setScale(2, RoundingMode.HALF_UP),
        Columns.getJson(rs, "result"),
        rs.getString("error"),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"),
        Columns.getTime(dialect, rs, "started_at"),
        Columns.getTime(dialect, rs, "completed_at"));
  }
}
