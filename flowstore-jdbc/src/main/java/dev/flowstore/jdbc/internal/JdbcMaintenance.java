package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Maintenance;
import java.util.Optional;

/**
 * The maintenance flag in the {@code maintenance} table (one row while on). Every call runs as the
 * store's own login outside any tenant ({@link JdbcFlowstore#system}): on PostgreSQL the table's
 * owner; the application role holds no privilege on it ({@link PostgresRoles#WITHHELD}).
 */
final class JdbcMaintenance implements Maintenance {
  static final int MAX_REASON = 200;

  private final JdbcFlowstore fs;

  JdbcMaintenance(JdbcFlowstore fs) {
    this.fs = fs;
  }

  @Override
  public State state() {
    return fs.system(
        c ->
            Columns.one(
                    c,
                    new Sql(fs.dialect(), "SELECT reason, since FROM maintenance WHERE id = 1"),
                    rs ->
                        new State(
                            true,
                            rs.getString("reason"),
                            Optional.of(fs.dialect().getTime(rs, "since"))))
                .orElse(State.OFF));
  }

  @Override
  public State enable(String reason) {
    if (reason == null || reason.isBlank())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "reason: say why writes are frozen (it is shown to clients), e.g. \"switching to PostgreSQL\"");
    if (reason.length() > MAX_REASON)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "reason: at most " + MAX_REASON + " characters");
    fs.system(
        c ->
            Columns.update(
                c,
                new Sql(
                    fs.dialect(),
                    "INSERT INTO maintenance (id, reason, since) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET reason = excluded.reason",
                    reason.strip(),
                    fs.now())));
    return state();
  }

  @Override
  public State disable() {
    fs.system(c -> Columns.update(c, new Sql(fs.dialect(), "DELETE FROM maintenance")));
    return State.OFF;
  }
}
