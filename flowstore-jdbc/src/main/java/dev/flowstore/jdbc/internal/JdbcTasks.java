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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
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
  private final Table<Task> rows;

  JdbcTasks(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "async_tasks", COLUMNS, this::map);
  }

  @Override
  public Task create(String taskType, UUID sessionId) {
    RecordValidation.name("task_type", taskType);
    UUID id = Uuids.next();
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          Columns.update(
              c,
              rows.sql(
                  "INSERT INTO async_tasks (tenant_id, task_id, task_type, session_id, status, progress, created_at, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?)",
                  rows.tenant(),
                  id,
                  taskType,
                  sessionId,
                  BigDecimal.ZERO.setScale(2),
                  now,
                  now));
          return rows.one(c, byId(id)).orElseThrow();
        });
  }

  @Override
  public Optional<Task> get(UUID taskId) {
    RecordValidation.required("task_id", taskId);
    return scope.read(c -> rows.one(c, byId(taskId)));
  }

  @Override
  public Task start(UUID taskId) {
    return change(
        taskId,
        Status.RUNNING,
        Status.from(Status.RUNNING),
        (set, now) -> set.append("started_at = ?", now));
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
        (set, now) -> set.append("progress = ?", rounded));
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
        (sql, now) -> sql.append(set, HUNDRED, json, now));
  }

  @Override
  public Task fail(UUID taskId, String error) {
    String err = RecordValidation.text("error", error, 65_536, true);
    return change(
        taskId,
        Status.FAILED,
        Status.from(Status.FAILED),
        (set, now) -> set.append("error = ?, completed_at = ?", err, now));
  }

  @Override
  public Task cancel(UUID taskId) {
    return change(
        taskId,
        Status.CANCELLED,
        Status.from(Status.CANCELLED),
        (set, now) -> set.append("completed_at = ?", now));
  }

  @Override
  public List<Task> list(UUID sessionId, Status status, int limit) {
    RecordValidation.limit(limit);
    Sql sql = rows.select();
    if (sessionId != null) sql.append(" AND session_id = ?", sessionId);
    if (status != null) sql.append(" AND status = ?", status.name());
    sql.append(" ORDER BY created_at DESC, task_id DESC LIMIT ?", limit);
    return scope.read(c -> rows.list(c, sql));
  }

  /**
   * Moves a task to {@code to} when its status is one of {@code from}; {@code set} appends the
   * columns changed along, given the time of the change.
   */
  private Task change(UUID taskId, Status to, Set<Status> from, BiConsumer<Sql, Instant> set) {
    RecordValidation.required("task_id", taskId);
    String in =
        from.stream().map(s -> "'" + s.name() + "'").sorted().collect(Collectors.joining(", "));
    return scope.write(
        c -> {
          Instant now = scope.flowstore().now();
          Sql update = rows.sql("UPDATE async_tasks SET ");
          set.accept(update, now);
          update.append(
              ", status = ?, updated_at = ? WHERE tenant_id = ? AND task_id = ? AND status IN ("
                  + in
                  + ")",
              to.name(),
              now,
              rows.tenant(),
              taskId);
          return rows.change(
              c,
              update,
              byId(taskId),
              "task " + taskId + " not found",
              task -> {
                String what =
                    from.contains(to)
                        ? "change its progress unless " + to
                        : "go from " + task.status() + " to " + to;
                return "task " + taskId + " is " + task.status() + ": it cannot " + what;
              });
        });
  }

  private Sql byId(UUID taskId) {
    return rows.select().append(" AND task_id = ?", taskId);
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
