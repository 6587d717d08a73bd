package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Recorded;
import dev.flowstore.StepAttempt;
import dev.flowstore.StepAttempt.Status;
import dev.flowstore.Steps;
import dev.flowstore.internal.RecordValidation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The step log in SQL. {@code record} is {@code INSERT ... ON CONFLICT DO NOTHING} on the primary
 * key (tenant, session, step, attempt): on PostgreSQL a concurrent insert of the same key waits for
 * the first to commit and then does nothing, on SQLite writers are serialized; either way the loser
 * then reads the winner's row. No unique violation is raised, so a caller's transaction stays
 * usable.
 */
final class JdbcSteps implements Steps {
  private static final String COLUMNS =
      "session_id, step, attempt, status, input, output, result_hash, error, started_at, finished_at";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<StepAttempt> rows;

  JdbcSteps(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "step_attempts", COLUMNS, this::map);
  }

  private int maxBytes() {
    return scope.flowstore().config().maxPayloadBytes();
  }

  @Override
  public Recorded<StepAttempt> record(NewStepAttempt a) {
    RecordValidation.required("step attempt", a);
    checkKey(a.sessionId(), a.step(), a.attempt());
    Status status = RecordValidation.required("status", a.status());
    String input = RecordValidation.json("input", a.input(), maxBytes(), false);
    String output = RecordValidation.json("output", a.output(), maxBytes(), false);
    String error = RecordValidation.text("error", a.error(), MAX_ERROR_CHARS, false);
    String hash = RecordValidation.text("result_hash", a.resultHash(), 200, false);
    if (!status.terminal() && (output != null || error != null || hash != null)) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "output, result_hash and error belong to a finished attempt, not a RUNNING one");
    }
    String resultHash =
        hash != null ? hash : output == null ? null : RecordValidation.sha256(output);
    String json = dialect.jsonParam();
    String sql =
        "INSERT INTO step_attempts (tenant_id, "
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, "
            + json
            + ", "
            + json
            + ", ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          Sql insert =
              rows.sql(
                  sql,
                  rows.tenant(),
                  a.sessionId(),
                  a.step(),
                  a.attempt(),
                  status.name(),
                  input,
                  output,
                  resultHash,
                  error,
                  now,
                  status.terminal() ? now : null);
          int inserted = Columns.update(c, insert);
          StepAttempt stored =
              rows.one(c, byKey(a.sessionId(), a.step(), a.attempt()))
                  .orElseThrow(
                      () ->
                          new FlowstoreException(
                              ErrorCode.INTERNAL, "step attempt vanished after recording it"));
          return new Recorded<>(stored, inserted == 0);
        });
  }

  @Override
  public Optional<StepAttempt> check(UUID sessionId, String step, int attempt) {
    checkKey(sessionId, step, attempt);
    return scope.read(c -> rows.one(c, byKey(sessionId, step, attempt)));
  }

  @Override
  public StepAttempt finish(
      UUID sessionId,
      String step,
      int attempt,
      Status to,
      ObjectNode output,
      String resultHash,
      String error) {
    checkKey(sessionId, step, attempt);
    RecordValidation.required("status", to);
    if (!to.terminal())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "status: an attempt finishes as SUCCEEDED, FAILED or SKIPPED, not " + to);
    String out = RecordValidation.json("output", output, maxBytes(), false);
    String err = RecordValidation.text("error", error, MAX_ERROR_CHARS, false);
    String hash = RecordValidation.text("result_hash", resultHash, 200, false);
    String finalHash = hash != null ? hash : out == null ? null : RecordValidation.sha256(out);
    String sql =
        "UPDATE step_attempts SET status = ?, output = "
            + dialect.jsonParam()
            + ", result_hash = ?, error = ?, finished_at = ?"
            + " WHERE tenant_id = ? AND session_id = ? AND step = ? AND attempt = ? AND status = 'RUNNING'";
    return scope.write(
        c -> {
          Sql update =
              rows.sql(
                  sql,
                  to.name(),
                  out,
                  finalHash,
                  err,
                  scope.flowstore().now(),
                  rows.tenant(),
                  sessionId,
                  step,
                  attempt);
          String key = describe(sessionId, step, attempt);
          return rows.change(
              c,
              update,
              byKey(sessionId, step, attempt),
              "step attempt " + key + " is not recorded",
              now ->
                  "step attempt "
                      + key
                      + " is "
                      + now.status()
                      + ", not RUNNING: it cannot become "
                      + to);
        });
  }

  @Override
  public List<StepAttempt> list(UUID sessionId, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    Sql sql =
        rows.select()
            .append(
                " AND session_id = ? ORDER BY started_at, step, attempt LIMIT ?", sessionId, limit);
    return scope.read(c -> rows.list(c, sql));
  }

  private Sql byKey(UUID sessionId, String step, int attempt) {
    return rows.select()
        .append(" AND session_id = ? AND step = ? AND attempt = ?", sessionId, step, attempt);
  }

  private static void checkKey(UUID sessionId, String step, int attempt) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.name("step", step);
    if (attempt < 1)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "attempt must be >= 1, got " + attempt);
  }

  private static String describe(UUID sessionId, String step, int attempt) {
    return "(session " + sessionId + ", step '" + step + "', attempt " + attempt + ")";
  }

  private StepAttempt map(ResultSet rs) throws SQLException {
    return new StepAttempt(
        dialect.getUuid(rs, "session_id"),
        rs.getString("step"),
        rs.getInt("attempt"),
        Status.valueOf(rs.getString("status")),
        Columns.getJson(rs, "input"),
        Columns.getJson(rs, "output"),
        rs.getString("result_hash"),
        rs.getString("error"),
        dialect.getTime(rs, "started_at"),
        Columns.getTime(dialect, rs, "finished_at"));
  }
}
