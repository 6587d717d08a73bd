package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.ApiKeys;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.internal.JdbcFlowstore;
import dev.flowstore.jdbc.internal.TableCatalog;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's second wall: even SQL that forgets its tenant filter, run as the application role,
 * sees and changes only the current tenant's rows, and nothing at all when no tenant is set.
 */
class PostgresRowLevelSecurityTest extends FlowstoreTestBase {
  private FlowstoreConfig config;
  private TenantId a;
  private TenantId b;

  @Override
  protected FlowstoreConfig config() {
    // one pooled connection, so every transaction reuses the same session
    config = TestBackends.postgres(Map.of("POSTGRES_POOL_MIN", "1", "POSTGRES_POOL_MAX", "1"));
    return config;
  }

  @BeforeAll
  void seed() {
    a = newTenant();
    b = newTenant();
    for (TenantId t : List.of(a, b)) {
      fs.events(t)
          .append(
              "order-1",
              ExpectedVersion.NO_STREAM,
              List.of(
                  EventData.of(
                      "placed", JsonNodeFactory.instance.objectNode().put("t", t.value()))));
    }
  }

  private Connection raw() throws SQLException {
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + PostgresSettings.of(config).schema());
    }
    c.setAutoCommit(false);
    return c;
  }

  /** A transaction as the application role, with the tenant set (or not, when null). */
  private Connection asApp(TenantId tenant) throws SQLException {
    Connection c = raw();
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL ROLE " + PostgresSettings.of(config).appRole());
      if (tenant != null)
        s.execute("SELECT set_config('app.current_tenant', '" + tenant.value() + "', true)");
    }
    return c;
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The tenant tables: the catalog's, none left out (TableCatalogTest holds it to the migrated
   * schema, so no table with a tenant_id is missing from it).
   */
  private static List<String> tenantTables() {
    return TableCatalog.tenantTables().stream().map(TableCatalog.Table::name).toList();
  }

  @Test
  void everyTableWithATenantIdHasForcedRowLevelSecurityWithTheNullifPolicy() throws SQLException {
    try (Connection c = raw()) {
      List<String> tables = tenantTables();
      assertThat(tables).contains("events", "event_feed_heads", "tenants", "api_keys");
      for (String table : tables) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
          ps.setString(1, PostgresSettings.of(config).schema());
          ps.setString(2, table);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as(table).isTrue();
            assertThat(rs.getBoolean(1)).as(table + " ENABLE").isTrue();
            assertThat(rs.getBoolean(2)).as(table + " FORCE").isTrue();
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT qual, with_check FROM pg_policies WHERE schemaname = ? AND tablename = ? AND policyname = 'tenant_isolation'")) {
          ps.setString(1, PostgresSettings.of(config).schema());
          ps.setString(2, table);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as(table + " policy").isTrue();
            String expected =
                "(tenant_id = NULLIF(current_setting('app.current_tenant'::text, true), ''::text))";
            assertThat(rs.getString(1)).isEqualTo(expected);
            assertThat(rs.getString(2)).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void everyPrimaryKeyAndUniqueConstraintOfATenantTableLeadsWithTenantId() throws SQLException {
    String sql =
        """
        SELECT t.relname, i.relname, a.attname
          FROM pg_index x
          JOIN pg_class t ON t.oid = x.indrelid
          JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
         WHERE n.nspname = ? AND x.indisunique AND t.relname <> ALL (?)
        """;
    try (Connection c = raw();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, PostgresSettings.of(config).schema());
      ps.setArray(
          2,
          // why: a key is found by its hash (or id) before its tenant is known; the catalog's
          // tables without a tenant column (Flyway's, the switching tables) belong to no tenant
          c.createArrayOf(
              "text",
              java.util.stream.Stream.concat(
                      java.util.stream.Stream.of("api_keys"),
                      dev.flowstore.jdbc.internal.TableCatalog.tables().stream()
                          .filter(t -> !t.tenantScoped())
                          .map(dev.flowstore.jdbc.internal.TableCatalog.Table::name))
                  .toArray(String[]::new)));
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          indexes.add(rs.getString(2));
          assertThat(rs.getString(3))
              .as(rs.getString(1) + "." + rs.getString(2))
              .isEqualTo("tenant_id");
        }
      }
      assertThat(indexes)
          .contains(
              "events_pk", "events_stream_version_uq", "events_event_id_uq", "event_feed_heads_pk");
    }
  }

  @Test
  void withNoTenantSetTheAppRoleSeesNothingAndCannotInsert() throws SQLException {
    try (Connection owner = raw()) {
      assertThat(
              count(
                  owner,
                  "SELECT count(*) FROM events WHERE tenant_id IN ('" + a + "', '" + b + "')"))
          .isEqualTo(2);
    }
    try (Connection c = asApp(null)) {
      assertThat(count(c, "SELECT count(*) FROM events")).isZero();
      assertThat(count(c, "SELECT count(*) FROM event_feed_heads")).isZero();
      assertThatThrownBy(() -> insertEvent(c, a))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("row-level security");
    }
  }

  @Test
  void theAppRoleSeesAndChangesOnlyTheCurrentTenantsRows() throws SQLException {
    try (Connection c = asApp(a)) {
      assertThat(count(c, "SELECT count(*) FROM events")).isEqualTo(1);
      assertThat(count(c, "SELECT count(*) FROM events WHERE tenant_id = '" + b + "'")).isZero();
      try (Statement s = c.createStatement()) {
        assertThat(
                s.executeUpdate("UPDATE events SET type = 'hacked' WHERE tenant_id = '" + b + "'"))
            .isZero();
        assertThat(s.executeUpdate("DELETE FROM events WHERE tenant_id = '" + b + "'")).isZero();
        assertThat(
                s.executeUpdate(
                    "UPDATE event_feed_heads SET last_position = 99 WHERE tenant_id = '" + b + "'"))
            .isZero();
      }
      assertThatThrownBy(() -> insertEvent(c, b))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("row-level security");
      c.rollback();
    }
    try (Connection c = asApp(a)) {
      try (Statement s = c.createStatement()) {
        // moving a's row to b is refused by WITH CHECK
        assertThatThrownBy(() -> s.executeUpdate("UPDATE events SET tenant_id = '" + b + "'"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("row-level security");
      }
      c.rollback();
    }
    try (Connection owner = raw()) {
      assertThat(
              count(
                  owner,
                  "SELECT count(*) FROM events WHERE tenant_id = '" + b + "' AND type = 'placed'"))
          .isEqualTo(1);
    }
  }

  /** Runs one statement as the app role in {@code tenant}'s scope; its update count (or -1). */
  private int asAppRun(TenantId tenant, String sql) throws SQLException {
    try (Connection c = asApp(tenant);
        Statement s = c.createStatement()) {
      try {
        return s.execute(sql) ? -1 : s.getUpdateCount();
      } finally {
        c.rollback();
      }
    }
  }

  private void assertRefused(TenantId tenant, String sql, String why) {
    assertThatThrownBy(() -> asAppRun(tenant, sql))
        .as(sql)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(why);
  }

  @Test
  void theAppRoleReachesOnlyItsOwnTenantsRowAndNoApiKeyYetKeysStillWork() throws SQLException {
    ApiKeys.Created keyA = fs.apiKeys().create(a, "a");
    ApiKeys.Created keyB = fs.apiKeys().create(b, "b");
    try (Connection c = asApp(a)) {
      assertThat(count(c, "SELECT count(*) FROM tenants")).isEqualTo(1);
      assertThat(count(c, "SELECT count(*) FROM tenants WHERE tenant_id = '" + b + "'")).isZero();
      c.rollback();
    }
    for (boolean empty : new boolean[] {false, true}) {
      try (Connection c = empty ? asAppEmpty() : asApp(null)) {
        assertThat(count(c, "SELECT count(*) FROM tenants")).isZero();
        c.rollback();
      }
    }
    assertThat(asAppRun(a, "UPDATE tenants SET uses_outbox = TRUE WHERE tenant_id = '" + b + "'"))
        .isZero();
    assertRefused(
        a,
        "UPDATE tenants SET tenant_id = '" + b + "x' WHERE tenant_id = '" + a + "'",
        "row-level security");
    assertRefused(a, "INSERT INTO tenants (tenant_id) VALUES ('" + b + "x')", "row-level security");
    assertRefused(a, "DELETE FROM tenants WHERE tenant_id = '" + b + "'", "permission denied");
    assertRefused(a, "DELETE FROM tenants", "permission denied");
    for (TenantId scope : java.util.Arrays.asList(a, b, null)) {
      assertRefused(scope, "SELECT key_hash FROM api_keys", "permission denied");
      assertRefused(scope, "UPDATE api_keys SET tenant_id = '" + a + "'", "permission denied");
      assertRefused(scope, "DELETE FROM api_keys", "permission denied");
      assertRefused(
          scope,
          "INSERT INTO api_keys (key_id, key_hash, tenant_id, name, created_at) VALUES ('k', 'h', '"
              + a
              + "', 'n', now())",
          "permission denied");
    }
    // the owner still sees every tenant and looks keys up by hash
    assertThat(fs.tenants()).contains(a, b);
    assertThat(fs.apiKeys().authenticate(keyA.secret())).contains(a);
    assertThat(fs.apiKeys().authenticate(keyB.secret())).contains(b);
    assertThat(fs.apiKeys().revoke(a, keyB.keyId())).isFalse();
    assertThat(fs.apiKeys().authenticate(keyB.secret())).contains(b);
  }

  /** A transaction as the application role with app.current_tenant set to ''. */
  private Connection asAppEmpty() throws SQLException {
    Connection c = raw();
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL ROLE " + PostgresSettings.of(config).appRole());
      s.execute("SELECT set_config('app.current_tenant', '', true)");
    }
    return c;
  }

  /**
   * FORCE applies row-level security to the owner too: a POSTGRES_DSN user that is not superuser
   * (the test's own login is) must still list tenants and manage and look up keys.
   */
  @Test
  void aNonSuperuserOwnerListsTenantsAndManagesKeys() throws SQLException {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String owner = "fs_own_" + suffix;
    String app = "fs_app_" + suffix;
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + owner + " LOGIN NOSUPERUSER NOBYPASSRLS");
      s.execute("CREATE ROLE " + app + " NOLOGIN");
      s.execute("GRANT " + app + " TO " + owner);
      s.execute("GRANT CREATE ON DATABASE " + currentDatabase(c) + " TO " + owner);
      c.commit();
    }
    PostgresDsn dsn = PostgresSettings.of(config).dsn();
    FlowstoreConfig cfg =
        TestBackends.postgres(
            Map.of(
                "POSTGRES_DSN",
                "postgresql://"
                    + owner
                    + "@"
                    + dsn.jdbcUrl().substring("jdbc:postgresql://".length()),
                "POSTGRES_APP_ROLE",
                app));
    try {
      try (Flowstore store = Flowstore.open(cfg)) {
        TenantId x = newTenant();
        TenantId y = newTenant();
        for (TenantId t : List.of(x, y))
          store
              .events(t)
              .append(
                  "s-1",
                  ExpectedVersion.NO_STREAM,
                  List.of(EventData.of("e", JsonNodeFactory.instance.objectNode())));
        assertThat(store.tenants()).containsExactlyInAnyOrder(x, y);
        ApiKeys.Created kx = store.apiKeys().create(x, "x");
        ApiKeys.Created ky = store.apiKeys().create(y, "y");
        assertThat(store.apiKeys().any()).isTrue();
        assertThat(store.apiKeys().authenticate(kx.secret())).contains(x);
        assertThat(store.apiKeys().authenticate(ky.secret())).contains(y);
        assertThat(store.apiKeys().list(x))
            .extracting(ApiKeys.Info::keyId)
            .containsExactly(kx.keyId());
        assertThat(store.apiKeys().revoke(x, ky.keyId())).isFalse();
        assertThat(store.apiKeys().revoke(x, kx.keyId())).isTrue();
        assertThat(store.apiKeys().authenticate(kx.secret())).isEmpty();
        assertThat(store.apiKeys().authenticate(ky.secret())).contains(y);
      }
    } finally {
      try (Connection c = raw();
          Statement s = c.createStatement()) {
        // why: drops the owner's schema too, and the database privilege
        s.execute("DROP OWNED BY " + owner + ", " + app);
        s.execute("DROP ROLE " + owner);
        s.execute("DROP ROLE " + app);
        c.commit();
      }
    }
  }

  private static String currentDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void refusesToStartWhenATenantTableLacksForcedRowLevelSecurityOrTheAppRoleMayReadKeys()
      throws SQLException {
    FlowstoreConfig cfg = TestBackends.postgres(Map.of("FLOWSTORE_MIGRATE_ON_START", "true"));
    Flowstore.open(cfg).close();
    FlowstoreConfig noMigrate =
        TestBackends.postgres(
            Map.of(
                "POSTGRES_SCHEMA",
                PostgresSettings.of(cfg).schema(),
                "FLOWSTORE_MIGRATE_ON_START",
                "false"));
    try {
      for (String[] breakage :
          List.of(
              new String[] {
                "ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY",
                ".tenants has a tenant_id but lacks"
              },
              new String[] {
                "ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY",
                ".api_keys has a tenant_id but lacks"
              },
              // a table outside the catalog (a newer version's, or one made by hand)
              new String[] {
                "CREATE TABLE stray (tenant_id text NOT NULL)",
                ".stray has a tenant_id but lacks ENABLE + FORCE ROW LEVEL SECURITY (a table this"
              },
              new String[] {
                "GRANT SELECT ON api_keys TO " + PostgresSettings.of(cfg).appRole(), "has SELECT on"
              },
              new String[] {
                "GRANT DELETE ON tenants TO " + PostgresSettings.of(cfg).appRole(), "has DELETE on"
              },
              new String[] {
                "GRANT TRUNCATE ON events TO " + PostgresSettings.of(cfg).appRole(),
                "has TRUNCATE on"
              })) {
        TestBackends.executeAsOwner(cfg, breakage[0]);
        assertThatThrownBy(() -> Flowstore.open(noMigrate))
            .as(breakage[0])
            .isInstanceOfSatisfying(
                FlowstoreException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                  assertThat(e.getMessage())
                      .contains(PostgresSettings.of(cfg).appRole(), breakage[1]);
                });
        // a start that migrates puts privileges back; RLS the test restores itself
        TestBackends.executeAsOwner(
            cfg,
            "ALTER TABLE tenants FORCE ROW LEVEL SECURITY; ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY; DROP TABLE IF EXISTS stray");
        Flowstore.open(cfg).close();
        Flowstore.open(noMigrate).close();
      }
      // the table outside the catalog is held to the same rule, not refused for being there
      TestBackends.executeAsOwner(
          cfg,
          "CREATE TABLE stray (tenant_id text NOT NULL); ALTER TABLE stray ENABLE ROW LEVEL SECURITY; ALTER TABLE stray FORCE ROW LEVEL SECURITY");
      Flowstore.open(noMigrate).close();
    } finally {
      TestBackends.drop(cfg);
    }
  }

  @Test
  void aPooledConnectionCarriesNoTenantOrRoleIntoTheNextTransaction() {
    JdbcFlowstore jdbc = (JdbcFlowstore) fs;
    fs.inTransaction(a, tx -> tx.events().readAll(0, 10, null));
    String[] after =
        jdbc.system(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs =
                      s.executeQuery(
                          "SELECT current_user, coalesce(current_setting('app.current_tenant', true), '')")) {
                rs.next();
                return new String[] {rs.getString(1), rs.getString(2)};
              }
            });
    assertThat(after[0]).isNotEqualTo(PostgresSettings.of(config).appRole());
    assertThat(after[1]).isEmpty();
  }

  @Test
  void refusesToStartWhenTheAppRoleBypassesRowLevelSecurity() throws SQLException {
    for (String attribute : List.of("BYPASSRLS", "SUPERUSER")) {
      String role = "fs_bad_" + UUID.randomUUID().toString().substring(0, 8);
      try (Connection c = raw();
          Statement s = c.createStatement()) {
        s.execute("CREATE ROLE " + role + " NOLOGIN " + attribute);
        c.commit();
      }
      try {
        assertThatThrownBy(
                () -> Flowstore.open(TestBackends.postgres(Map.of("POSTGRES_APP_ROLE", role))))
            .isInstanceOfSatisfying(
                FlowstoreException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                  assertThat(e.getMessage()).contains("POSTGRES_APP_ROLE", role, attribute);
                });
      } finally {
        dropRole(role);
      }
    }
  }

  @Test
  void refusesToStartWhenTheAppRoleOwnsATable() throws SQLException {
    String role = "fs_owner_" + UUID.randomUUID().toString().substring(0, 8);
    FlowstoreConfig cfg = TestBackends.postgres(Map.of("POSTGRES_APP_ROLE", role));
    Flowstore.open(cfg).close();
    try (Connection c =
            DriverManager.getConnection(
                PostgresSettings.of(cfg).dsn().jdbcUrl(),
                PostgresSettings.of(cfg).dsn().user(),
                PostgresSettings.of(cfg).dsn().password());
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + PostgresSettings.of(cfg).schema() + ".events OWNER TO " + role);
    }
    try {
      assertThatThrownBy(() -> Flowstore.open(cfg))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> assertThat(e.getMessage()).contains(role, "owns table"));
    } finally {
      try (Connection c =
              DriverManager.getConnection(
                  PostgresSettings.of(cfg).dsn().jdbcUrl(),
                  PostgresSettings.of(cfg).dsn().user(),
                  PostgresSettings.of(cfg).dsn().password());
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + PostgresSettings.of(cfg).schema() + " CASCADE");
      }
      dropRole(role);
    }
  }

  private void dropRole(String role) throws SQLException {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute("DROP OWNED BY " + role);
      s.execute("DROP ROLE " + role);
      c.commit();
    }
  }

  private static void insertEvent(Connection c, TenantId tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category, payload, metadata, created_at) VALUES (?, 1000, 'x-1', 0, gen_random_uuid(), 't', 'x', '{}', '{}', now())")) {
      ps.setString(1, tenant.value());
      ps.executeUpdate();
    }
  }
}
