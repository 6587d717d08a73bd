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
import java.sql.Connection;
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

  JdbcSteps(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
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
          Instant now = scope.flowstore().now();
          int inserted =
              Columns.update(
                  c,
                  sql,
                  ps -> {
                    ps.setString(1, tenant());
                    dialect.setUuid(ps, 2, a.sessionId());
                    ps.setString(3, a.step());
                    ps.setInt(4, a.attempt());
                    ps.setString(5, status.name());
                    Columns.setText(ps, 6, input);
                    Columns.setText(ps, 7, output);
                    Columns.setText(ps, 8, resultHash);
                    Columns.setText(ps, 9, error);
                    dialect.setTime(ps, 10, now);
                    Columns.setTime(dialect, ps, 11, status.terminal() ? now : null);
                  });
          StepAttempt stored =
              find(c, a.sessionId(), a.step(), a.attempt())
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
    return scope.read(c -> find(c, sessionId, step, attempt));
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
          int updated =
              Columns.update(
                  c,
                  sql,
                  ps -> {
                    ps.setString(1, to.name());
                    Columns.setText(ps, 2, out);
                    Columns.setText(ps, 3, finalHash);
                    Columns.setText(ps, 4, err);
                    dialect.setTime(ps, 5, scope.flowstore().now());
                    ps.setString(6, tenant());
                    dialect.setUuid(ps, 7, sessionId);
                    ps.setString(8, step);
                    ps.setInt(9, attempt);
                  });
          Optional<StepAttempt> now = find(c, sessionId, step, attempt);
          if (now.isEmpty())
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND,
                "step attempt " + describe(sessionId, step, attempt) + " is not recorded");
          if (updated == 0) {
            throw new FlowstoreException(
                ErrorCode.UNPROCESSABLE,
                "step attempt "
                    + describe(sessionId, step, attempt)
                    + " is "
                    + now.get().status()
                    + ", not RUNNING: it cannot become "
                    + to);
          }
          return now.get();
        });
  }

  @Override
  public List<StepAttempt> list(UUID sessionId, int limit) {
    RecordValidation.required("session_id", sessionId);
    RecordValidation.limit(limit);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM step_attempts WHERE tenant_id = ? AND session_id = ? ORDER BY started_at, step, attempt LIMIT ?";
    return scope.read(
        c ->
            Columns.list(
                c,
                sql,
                ps -> {
                  ps.setString(1, tenant());
                  dialect.setUuid(ps, 2, sessionId);
                  ps.setInt(3, limit);
                },
                this::map));
  }

  private Optional<StepAttempt> find(Connection c, UUID sessionId, String step, int attempt)
      throws SQLException {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM step_attempts WHERE tenant_id = ? AND session_id = ? AND step = ? AND attempt = ?";
    return Columns.one(
        c,
        sql,
        ps -> {
          ps.setString(1, tenant());
          dialect.setUuid(ps, 2, sessionId);
          ps.setString(3, step);
          ps.setInt(4, attempt);
        },
        this::map);
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
