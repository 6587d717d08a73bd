package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Node;
import dev.flowstore.NodeDefinition;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.TestBackends;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The migration that registers the tenants written before every write registered its tenant
 * (PostgreSQL V16, SQLite V15): a store upgraded from the version before finds in {@code tenants}
 * every tenant that had only flows, nodes, tasks, commands, steps, checkpoints, audit entries or
 * processed messages. "The version before" is made by writing through today's stores, then taking
 * the tenants' rows out of {@code tenants} and the migration out of Flyway's history, so the next
 * start runs it again.
 */
class TenantRegistryBackfillTest {
  private static final ObjectNode DATA = JsonNodeFactory.instance.objectNode().put("n", 1);

  /** One tenant per store, each writing through that store only. */
  private static List<TenantId> writeThroughEveryStore(Flowstore fs) {
    TenantId flows = tenant("flows");
    fs.flows(flows)
        .register("reg", null, null, "name: reg\nstates:\n  start: {next: done}\n", null);
    TenantId nodes = tenant("nodes");
    fs.nodes(nodes)
        .register(new NodeDefinition("reg.node", Node.Type.BUILTIN, "Reg", null, null, null, null));
    TenantId tasks = tenant("tasks");
    fs.tasks(tasks).create("reg", null);
    TenantId commands = tenant("commands");
    fs.commands(commands).submit(UUID.randomUUID(), "approve", null, null);
    TenantId steps = tenant("steps");
    fs.steps(steps).record(NewStepAttempt.running(UUID.randomUUID(), "s", 1, DATA));
    TenantId checkpoints = tenant("checkpoints");
    fs.checkpoints(checkpoints).save(UUID.randomUUID(), NewCheckpoint.of(null, DATA, null));
    TenantId audit = tenant("audit");
    fs.audit(audit).append(new NewAuditEntry("ann", "create", "ticket", "1", null, null, DATA));
    TenantId processed = tenant("processed");
    fs.processed(processed).markProcessed(UUID.randomUUID(), "projector");
    return List.of(flows, nodes, tasks, commands, steps, checkpoints, audit, processed);
  }

  private static TenantId tenant(String store) {
    return TenantId.of(store + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * Takes the tenants out of the registry and the migration ({@code versions[0]}) out of the
   * history, with every later one ({@code versions[1..]}: Flyway refuses to apply a version below
   * the newest applied; the later ones run again, so they must be repeatable on their schema).
   */
  private static void asBeforeTheMigration(
      FlowstoreConfig owner, List<TenantId> tenants, String... versions) {
    String ids = tenants.stream().map(t -> "'" + t.value() + "'").collect(Collectors.joining(","));
    TestBackends.executeAsOwner(owner, "DELETE FROM tenants WHERE tenant_id IN (" + ids + ")");
    String listed =
        java.util.Arrays.stream(versions).map(v -> "'" + v + "'").collect(Collectors.joining(","));
    TestBackends.executeAsOwner(
        owner, "DELETE FROM flyway_schema_history WHERE version IN (" + listed + ")");
  }

  /** Puts SQLite's records back as they were before V18__record_keys.sql. */
  private static void undoSqliteRecordKeys(FlowstoreConfig config) {
    String url = "jdbc:sqlite:" + config.dataDir().resolve("flowstore.db").toAbsolutePath();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.Statement s = c.createStatement()) {
      List<String> indexes = new java.util.ArrayList<>();
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'rx\\_%' ESCAPE '\\'")) {
        while (rs.next()) indexes.add(rs.getString(1));
      }
      for (String index : indexes) s.execute("DROP INDEX " + index);
      s.execute("ALTER TABLE records DROP COLUMN keys");
      s.execute(
          "CREATE TABLE record_index_entries (tenant_id TEXT NOT NULL, collection TEXT NOT NULL,"
              + " record_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
              + " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
              + " PRIMARY KEY (tenant_id, collection, record_id, field))");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertRegisteredOnlyByTheMigration(
      FlowstoreConfig config, List<TenantId> tenants) {
    FlowstoreConfig noMigration =
        config.toBuilder().set("FLOWSTORE_MIGRATE_ON_START", "false").build();
    try (Flowstore before = Flowstore.open(noMigration)) {
      assertThat(before.tenants()).doesNotContainAnyElementsOf(tenants);
    }
    try (Flowstore after = Flowstore.open(config)) {
      assertThat(after.tenants()).containsAll(tenants);
    }
  }

  @Test
  void sqliteRegistersTheTenantsOfRowsWrittenBefore() {
    FlowstoreConfig config = TestBackends.sqliteTemp();
    List<TenantId> tenants;
    try (Flowstore fs = Flowstore.open(config)) {
      tenants = writeThroughEveryStore(fs);
      assertThat(fs.tenants()).containsAll(tenants);
    }
    // the later ones run again: V16 re-creates three triggers, V17 an index (IF [NOT] EXISTS);
    // V18 adds a column, which SQLite cannot do "if not exists": its change is undone first
    undoSqliteRecordKeys(config);
    asBeforeTheMigration(config, tenants, "15", "16", "17", "18");
    assertRegisteredOnlyByTheMigration(config, tenants);
  }

  /**
   * Run by an owner that neither is a superuser nor has BYPASSRLS, as in most deployments: forced
   * row-level security would hide every row from it, so the migration lifts it for its transaction.
   * The second start's check that every tenant table has it forced passing says it was put back.
   */
  @Test
  void postgresRegistersTheTenantsOfRowsWrittenBeforeAsAnOwnerThatDoesNotBypassRls() {
    FlowstoreConfig superuser = TestBackends.postgres();
    TestBackends.executeAsOwner(
        superuser,
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fs_backfill_owner') THEN"
            + " CREATE ROLE fs_backfill_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE; END IF;"
            + " EXECUTE format('GRANT CREATE ON DATABASE %I TO fs_backfill_owner', current_database());"
            + " END $$");
    String dsn = superuser.given("POSTGRES_DSN").replaceFirst("//[^@/]*@", "//fs_backfill_owner@");
    FlowstoreConfig owned =
        TestBackends.postgres(Map.of("POSTGRES_DSN", dsn, "POSTGRES_APP_ROLE", "fs_backfill_app"));
    // the same schema as the superuser, to take rows out behind row-level security
    FlowstoreConfig asSuperuser =
        owned.toBuilder().set("POSTGRES_DSN", superuser.given("POSTGRES_DSN")).build();
    try {
      List<TenantId> tenants;
      try (Flowstore fs = Flowstore.open(owned)) {
        tenants = writeThroughEveryStore(fs);
        assertThat(fs.tenants()).containsAll(tenants);
      }
      asBeforeTheMigration(asSuperuser, tenants, "16", "17", "18");
      assertRegisteredOnlyByTheMigration(owned, tenants);
    } finally {
      TestBackends.drop(asSuperuser);
      TestBackends.drop(superuser);
    }
  }
}
