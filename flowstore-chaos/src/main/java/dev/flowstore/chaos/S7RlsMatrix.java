package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.IndexedField;
import dev.flowstore.Lease;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.NewSession;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.NodeDefinition;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.PostgresDsn;
import dev.flowstore.jdbc.PostgresSettings;
import dev.flowstore.jdbc.internal.JdbcFlowstore;
import dev.flowstore.jdbc.internal.TableCatalog;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Scenario 7, the RLS matrix: every tenant table (flowstore-jdbc's {@link TableCatalog}, which its
 * test holds to the migrated schema, so a new table cannot be forgotten) x SELECT / INSERT / UPDATE
 * / DELETE x the tenant unset, '', another tenant's and the own tenant's, run as the application
 * role on a pooled connection exactly as the engine scopes a transaction ({@code set_config('role',
 * ..., true)} and {@code app.current_tenant}). Rows of two tenants are first written through the
 * public API; every probe is rolled back.
 *
 * <p>A wrong write counts as rejected only when PostgreSQL refuses it for privileges or row-level
 * security (SQLSTATE 42501) or it touches 0 rows; a probe that fails for any other reason is
 * "inconclusive" and fails the run too, so a probe that cannot test anything is never counted as a
 * pass.
 */
final class S7RlsMatrix implements Scenario {
  private static final String NAME = "RLS matrix";
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  @Override
  public int number() {
    return 7;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The scopes a transaction can be in, relative to the tenant whose rows are probed. */
  enum TenantScope {
    UNSET,
    EMPTY,
    ANOTHER,
    OWN
  }

  /** What the probes of one operation found. */
  static final class Tally {
    int checks;
    long crossTenantRowsSeen;
    int wrongWritesAccepted;
    int refused;
    int zeroRows;
    final List<String> inconclusive = new ArrayList<>();
    final List<String> leaks = new ArrayList<>();
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    String schema =
        "chaos_s7_"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                .toLowerCase(Locale.ROOT);
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_STORE_BACKEND", "postgres",
                "POSTGRES_DSN", settings.postgresDsn(),
                "POSTGRES_SCHEMA", schema,
                "POSTGRES_POOL_MIN", "1",
                "POSTGRES_POOL_MAX", "2"));
    int perTenant = settings.pick(1, 3, 20);
    try (Flowstore fs = Flowstore.open(config)) {
      TenantId victim = TenantId.of("s7victim");
      TenantId other = TenantId.of("s7other");
      for (TenantId t : List.of(victim, other)) seed(fs, t, perTenant);
      return matrix((JdbcFlowstore) fs, config, victim, other, perTenant);
    } finally {
      dropSchema(config);
    }
  }

  /** Rows in every tenant table, through the public API (as a workflow backend writes them). */
  static void seed(Flowstore fs, TenantId t, int n) {
    ObjectNode obj = JsonNodeFactory.instance.objectNode().put("tenant", t.value());
    fs.flows(t).register("flow-1", "flow", "", "steps: []\n", null);
    // records: rows, index entries, unique values and searchable texts (the declaration is every
    // tenant's)
    fs.collections()
        .declare(
            CollectionSpec.of("s7items")
                .withIndexed(IndexedField.string("/tenant"), IndexedField.string("/ref"))
                .withUnique("/ref")
                .withFullText("/tenant"));
    for (int i = 0; i < n; i++) {
      fs.records(t)
          .create("s7items", NewRecord.of("item-" + i, obj.deepCopy().put("ref", "r" + i)));
      fs.events(t)
          .append("order-" + i, ExpectedVersion.NO_STREAM, List.of(EventData.of("placed", obj)));
      fs.apiKeys().create(t, "key-" + i);
      UUID session =
          fs.sessions(t).create(NewSession.builder().flow("flow-1", 1).build()).sessionId();
      fs.steps(t).record(NewStepAttempt.running(session, "step", 1, obj));
      fs.checkpoints(t).save(session, NewCheckpoint.of(null, obj, null));
      fs.nodes(t).register(NodeDefinition.builtin("node-" + i, "node", null));
      fs.tasks(t).create("task", session);
      fs.resumeHandles(t).create(session, "corr-" + i, Instant.now().plus(Duration.ofHours(1)));
      fs.commands(t).submit(session, "cmd", obj, null);
      fs.audit(t).append(new NewAuditEntry("chaos", "seed", "job", "job-" + i, null, null, obj));
      fs.queue(t).enqueue(NewJob.of("q", "work", obj));
      fs.queue(t).enqueue(NewJob.of("dead", "work", obj).withMaxAttempts(1));
      for (Lease l : fs.queue(t).lease("dead", 1, Duration.ofMinutes(1)))
        fs.queue(t).nack(l.jobId(), l.token(), "seeded failure", Duration.ZERO);
      fs.outbox(t).add("queue:relayed", obj, null, null);
      fs.processed(t).markProcessed(UUID.randomUUID(), "consumer");
      fs.idempotencyKeys(t).begin("idem-" + i, "hash", Duration.ofHours(1), Duration.ofMinutes(1));
    }
  }

  private static List<Figure> matrix(
      JdbcFlowstore fs, FlowstoreConfig config, TenantId victim, TenantId other, int perTenant) {
    String schema = PostgresSettings.of(config).schema();
    String role = PostgresSettings.of(config).appRole();
    return fs.system(
        c -> {
          List<String> tables =
              TableCatalog.tenantTables().stream().map(TableCatalog.Table::name).toList();
          List<String> unseeded = new ArrayList<>();
          // per table, one row of each tenant (as JSON): the rows wrong inserts copy
          Map<String, Map<TenantId, String>> templates = new LinkedHashMap<>();
          for (String table : tables) {
            Map<TenantId, String> rows = new LinkedHashMap<>();
            for (TenantId t : List.of(victim, other)) {
              String row = ownerRow(c, table, t);
              if (row != null) rows.put(t, row);
            }
            if (rows.size() < 2) unseeded.add(table);
            else templates.put(table, rows);
          }
          Map<String, Tally> byOp = new LinkedHashMap<>();
          for (String op : List.of("select", "insert", "update", "delete"))
            byOp.put(op, new Tally());
          // why: a control that the probes can see anything at all: own rows visible where allowed
          int ownVisible = 0;
          for (String table : templates.keySet()) {
            List<String> columns = insertableColumns(c, schema, table);
            for (TenantScope scope : TenantScope.values()) {
              TenantId scopeTenant =
                  switch (scope) {
                    case UNSET, EMPTY -> null;
                    case ANOTHER -> other;
                    case OWN -> victim;
                  };
              // the rows under attack: the victim's, or the other tenant's when the scope is the
              // victim's own
              TenantId target = scope == TenantScope.OWN ? other : victim;
              String where = " WHERE tenant_id = '" + target.value() + "'";
              String cell = table + " / " + scope.name().toLowerCase(Locale.ROOT);

              Tally sel = byOp.get("select");
              sel.checks++;
              Probe seen =
                  probe(
                      c,
                      role,
                      scope,
                      scopeTenant,
                      "SELECT count(*) FROM "
                          + table
                          + " WHERE tenant_id IS DISTINCT FROM "
                          + (scopeTenant == null ? "NULL" : "'" + scopeTenant.value() + "'"),
                      null);
              if (seen.rows > 0) {
                sel.crossTenantRowsSeen += seen.rows;
                sel.leaks.add(cell + ": " + seen.rows + " rows");
              } else if (seen.refused) sel.refused++;
              else if (seen.error != null) sel.inconclusive.add(cell + ": " + seen.error);
              else sel.zeroRows++;
              if (scope == TenantScope.OWN) {
                Probe own =
                    probe(c, role, scope, scopeTenant, "SELECT count(*) FROM " + table, null);
                if (own.rows > 0) ownVisible++;
              }

              String insert =
                  "INSERT INTO "
                      + table
                      + " ("
                      + String.join(", ", columns)
                      + ") SELECT "
                      + String.join(", ", columns)
                      + " FROM jsonb_populate_record(NULL::"
                      + table
                      + ", ?::jsonb)";
              // a copy of a target tenant's row written from a scope that is not the target's (were
              // it let through, its key would clash: inconclusive, which fails the run too)
              wrongWrite(
                  byOp.get("insert"),
                  cell,
                  probe(c, role, scope, scopeTenant, insert, templates.get(table).get(target)));
              wrongWrite(
                  byOp.get("update"),
                  cell,
                  probe(
                      c,
                      role,
                      scope,
                      scopeTenant,
                      "UPDATE " + table + " SET tenant_id = tenant_id" + where,
                      null));
              if (scopeTenant != null) {
                // moving rows out of the scope's own tenant into the target
                wrongWrite(
                    byOp.get("update"),
                    cell + " (move)",
                    probe(
                        c,
                        role,
                        scope,
                        scopeTenant,
                        "UPDATE "
                            + table
                            + " SET tenant_id = '"
                            + target.value()
                            + "' WHERE tenant_id = '"
                            + scopeTenant.value()
                            + "'",
                        null));
              }
              wrongWrite(
                  byOp.get("delete"),
                  cell,
                  probe(c, role, scope, scopeTenant, "DELETE FROM " + table + where, null));
            }
          }
          return figures(tables, unseeded, templates.size(), ownVisible, byOp, perTenant);
        });
  }

  private static void wrongWrite(Tally t, String cell, Probe p) {
    t.checks++;
    if (p.refused) t.refused++;
    else if (p.error != null) t.inconclusive.add(cell + ": " + p.error);
    else if (p.rows == 0) t.zeroRows++;
    else {
      t.wrongWritesAccepted++;
      t.leaks.add(cell + ": " + p.rows + " rows");
    }
  }

  private static List<Figure> figures(
      List<String> tables,
      List<String> unseeded,
      int probed,
      int ownVisible,
      Map<String, Tally> byOp,
      int perTenant) {
    String scenario = "7 " + NAME;
    String variant = "postgres, app role via the pool";
    String faults = "tenant unset / '' / another / own";
    List<Figure> out = new ArrayList<>();
    out.add(
        new Figure(
            scenario,
            variant + ": coverage",
            tables.size() + " tables with tenant_id, seeded " + perTenant + "x per tenant",
            "-",
            "tables without rows of both tenants "
                + unseeded.size()
                + (unseeded.isEmpty() ? "" : " " + unseeded)
                + ", own rows visible in "
                + ownVisible
                + " of "
                + probed,
            unseeded.isEmpty() && probed > 0 && ownVisible > 0));
    for (Map.Entry<String, Tally> e : byOp.entrySet()) {
      Tally t = e.getValue();
      boolean select = e.getKey().equals("select");
      String result =
          (select
                  ? "cross-tenant rows seen " + t.crossTenantRowsSeen
                  : "wrong writes accepted " + t.wrongWritesAccepted)
              + " (refused "
              + t.refused
              + ", 0 rows "
              + t.zeroRows
              + ", inconclusive "
              + t.inconclusive.size()
              + ")"
              + (t.leaks.isEmpty() ? "" : "; leaks: " + String.join("; ", first(t.leaks)))
              + (t.inconclusive.isEmpty()
                  ? ""
                  : "; inconclusive: " + String.join("; ", first(t.inconclusive)));
      out.add(
          new Figure(
              scenario,
              variant + ": " + e.getKey(),
              probed
                  + " tables x "
                  + TenantScope.values().length
                  + " scopes: "
                  + t.checks
                  + " probes",
              faults,
              result,
              t.leaks.isEmpty() && t.inconclusive.isEmpty() && t.checks > 0));
    }
    return out;
  }

  private static List<String> first(List<String> all) {
    return all.size() <= 5 ? all : all.subList(0, 5);
  }

  /** The outcome of one probe: rows counted or affected, or how it was refused. */
  record Probe(long rows, boolean refused, String error) {}

  /**
   * Runs one statement in its own transaction on the pooled connection, scoped like the engine's
   * (role and tenant both transaction-local), and rolls it back.
   */
  private static Probe probe(
      Connection c, String role, TenantScope scope, TenantId tenant, String sql, String json)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      // why: UNSET sets the role only (on a pooled connection that once had a tenant the setting
      // then reads '', on a fresh one NULL); the others set both, as the engine does
      try (PreparedStatement ps =
          c.prepareStatement(
              scope == TenantScope.UNSET
                  ? "SELECT set_config('role', ?, true)"
                  : "SELECT set_config('role', ?, true), set_config('app.current_tenant', ?, true)")) {
        ps.setString(1, role);
        if (scope != TenantScope.UNSET) ps.setString(2, tenant == null ? "" : tenant.value());
        ps.execute();
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        if (json != null) ps.setString(1, json);
        if (ps.execute()) {
          try (ResultSet rs = ps.getResultSet()) {
            rs.next();
            return new Probe(rs.getLong(1), false, null);
          }
        }
        return new Probe(ps.getUpdateCount(), false, null);
      } catch (SQLException e) {
        boolean refused = INSUFFICIENT_PRIVILEGE.equals(e.getSQLState());
        // why: one line, so the message fits a table cell
        String message = e.getMessage().lines().findFirst().orElse("").strip();
        return new Probe(0, refused, refused ? null : e.getSQLState() + " " + message);
      }
    } finally {
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  /** Columns a plain INSERT may name (not GENERATED ALWAYS, identity or computed). */
  private static List<String> insertableColumns(Connection c, String schema, String table)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_schema = ? AND table_name = ?
               AND NOT (is_identity = 'YES' AND identity_generation = 'ALWAYS')
               AND is_generated = 'NEVER'
             ORDER BY ordinal_position
            """)) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** One row of the tenant as JSON, read as the owner (outside any tenant), or null. */
  private static String ownerRow(Connection c, String table, TenantId tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT to_jsonb(t)::text FROM " + table + " t WHERE tenant_id = ? LIMIT 1")) {
      ps.setString(1, tenant.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void dropSchema(FlowstoreConfig config) throws SQLException {
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + PostgresSettings.of(config).schema() + " CASCADE");
    }
  }
}
