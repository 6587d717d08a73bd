package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The PostgreSQL application role that tenant queries run as, and the start-up check that row-level
 * security really applies to it: not superuser, no BYPASSRLS, owns no table and inherits no owner's
 * rights, every tenant table ({@link TableCatalog}, and any other table with a {@code tenant_id}
 * column) has RLS enabled and forced (no exceptions), and the role holds none of the {@link
 * #WITHHELD} privileges. flowstore refuses to start when any of these fails.
 */
public final class PostgresRoles {
  /**
   * Privileges the application role must not have, by table; {@link #provision} revokes them after
   * granting the rest, {@link #check} refuses to start while the role has any. Why, per table:
   *
   * <ul>
   *   <li>api_keys: every tenant's key hashes; keys are created, listed, revoked and looked up by
   *       hash (before a tenant is known) as the owner only, never in a tenant transaction.
   *   <li>tenants: a tenant transaction registers its own row (INSERT) and marks it an outbox user
   *       (UPDATE), under RLS; nothing deletes a tenant, so no transaction may.
   *   <li>flyway_schema_history: Flyway's, the owner's alone.
   *   <li>collections: one declaration for every tenant, written as the owner ({@code
   *       Collections.declare}); a tenant transaction only reads it.
   *   <li>maintenance, copy_runs, copy_progress: the database's switching state
   *       (docs/switching.md), read and written by servers and the CLI as the owner; a tenant must
   *       not freeze everyone.
   *   <li>mirror_changes: the mirror's change log (docs/mirror.md); a tenant's writes INSERT into
   *       it through the capture triggers, which run as the writer, but must not read other
   *       tenants' keys nor drop entries. mirror_state: the mirror's, the owner's alone.
   * </ul>
   */
  static final Map<String, List<String>> WITHHELD =
      Map.of(
          "api_keys", List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
          "tenants", List.of("DELETE"),
          "flyway_schema_history", List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
          "collections", List.of("INSERT", "UPDATE", "DELETE"),
          "maintenance", List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
          "copy_runs", List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
          "copy_progress", List.of("SELECT", "INSERT", "UPDATE", "DELETE"),
          "mirror_changes", List.of("SELECT", "UPDATE", "DELETE"),
          "mirror_state", List.of("SELECT", "INSERT", "UPDATE", "DELETE"));

  /** Privileges the role must not have on any table: TRUNCATE ignores row-level security. */
  static final List<String> NEVER = List.of("TRUNCATE", "TRIGGER");

  private PostgresRoles() {}

  /**
   * Creates the role if it is missing and this login may create roles; grants it the schema's
   * tables.
   */
  public static void provision(DataSource ds, String schema, String role) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      if (!exists(c, role)) {
        try {
          s.execute("CREATE ROLE " + role + " NOLOGIN NOSUPERUSER NOBYPASSRLS");
        } catch (SQLException e) {
          // why: another process may have created it a moment ago (42710 / 23505); anything else
          // the check reports
          if (!exists(c, role)) throw e;
        }
      }
      // why: one transaction, so the withheld privileges, granted by ALL TABLES and revoked next,
      // are never visible to a running process
      c.setAutoCommit(false);
      // why: servers starting together on one database granted at once and PostgreSQL refused
      // one of them ("tuple concurrently updated" on the tables' ACLs): it failed to start (chaos
      // scenario 2 starts three); one provisioning at a time per schema and role
      s.execute(
          "SELECT pg_advisory_xact_lock(hashtext('flowstore.provision:"
              + schema
              + ":"
              + role
              + "'))");
      s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
      s.execute(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
      s.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
      s.execute(
          "REVOKE "
              + String.join(", ", NEVER)
              + " ON ALL TABLES IN SCHEMA "
              + schema
              + " FROM "
              + role);
      for (Map.Entry<String, List<String>> w : WITHHELD.entrySet()) {
        s.execute(
            "REVOKE "
                + String.join(", ", w.getValue())
                + " ON "
                + schema
                + "."
                + w.getKey()
                + " FROM "
                + role);
      }
      if (!isMember(c, role)) s.execute("GRANT " + role + " TO CURRENT_USER");
      c.commit();
    } catch (SQLException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "POSTGRES_APP_ROLE: cannot set up role '"
              + role
              + "' ("
              + e.getMessage().strip()
              + "); as an administrator run: CREATE ROLE "
              + role
              + " NOLOGIN; GRANT "
              + role
              + " TO <the POSTGRES_DSN user>;",
          e);
    }
  }

  /** Throws CONFIGURATION, naming the role and the fix, unless tenant isolation is enforced. */
  public static void check(DataSource ds, PostgresDialect dialect, String schema, String role) {
    List<String> problems = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ?")) {
        ps.setString(1, role);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            problems.add(
                "role does not exist (CREATE ROLE "
                    + role
                    + " NOLOGIN; GRANT "
                    + role
                    + " TO <the POSTGRES_DSN user>)");
          } else {
            if (rs.getBoolean(1))
              problems.add("role is a superuser (ALTER ROLE " + role + " NOSUPERUSER)");
            if (rs.getBoolean(2))
              problems.add("role has BYPASSRLS (ALTER ROLE " + role + " NOBYPASSRLS)");
          }
        }
      }
      // why: a superuser (or missing) role has or lacks every privilege; its tables would only add
      // noise to the one fix that matters
      boolean checkTables = problems.isEmpty();
      if (problems.isEmpty() && !isMember(c, role))
        problems.add(
            "the POSTGRES_DSN user cannot SET ROLE "
                + role
                + " (GRANT "
                + role
                + " TO <that user>)");
      if (checkTables) tableProblems(c, schema, role, problems);
    } catch (SQLException e) {
      throw SqlErrors.translate(dialect, "checking PostgreSQL role " + role, e);
    }
    if (!problems.isEmpty()) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "POSTGRES_APP_ROLE: refusing to start, tenant isolation is not enforced for role '"
              + role
              + "': "
              + String.join("; ", problems));
    }
  }

  // why: the tenant tables are TableCatalog's; every table of the schema is walked too, so one
  // outside the catalog with a tenant_id column (a newer version's, or one made by hand) is held to
  // the same rule instead of slipping by, and no table escapes the ownership and privilege checks
  private static void tableProblems(Connection c, String schema, String role, List<String> problems)
      throws SQLException {
    String tables =
        """
        SELECT c.relname,
               pg_get_userbyid(c.relowner),
               pg_has_role(?, c.relowner, 'MEMBER'),
               c.relrowsecurity AND c.relforcerowsecurity,
               EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relkind IN ('r', 'p')
         ORDER BY c.relname
        """;
    try (PreparedStatement ps = c.prepareStatement(tables)) {
      ps.setString(1, role);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String table = schema + "." + name;
          Optional<TableCatalog.Table> known = TableCatalog.table(name);
          boolean tenantTable =
              known.map(TableCatalog.Table::tenantScoped).orElse(false) || rs.getBoolean(5);
          String owner = rs.getString(2);
          if (owner.equals(role))
            problems.add(
                "role owns table "
                    + table
                    + " (owners bypass row-level security; ALTER TABLE ... OWNER TO the migration user)");
          else if (rs.getBoolean(3))
            problems.add(
                "role is a member of "
                    + owner
                    + ", the owner of "
                    + table
                    + ", and so gets the owner's rights (REVOKE "
                    + owner
                    + " FROM "
                    + role
                    + ")");
          if (tenantTable && !rs.getBoolean(4))
            problems.add(
                "table "
                    + table
                    + " has a tenant_id but lacks ENABLE + FORCE ROW LEVEL SECURITY"
                    + (known.isEmpty()
                        ? " (a table this version of flowstore does not know)"
                        : ""));
          List<String> forbidden = new ArrayList<>(NEVER);
          forbidden.addAll(WITHHELD.getOrDefault(name, List.of()));
          for (String privilege : forbidden) {
            if (hasPrivilege(c, role, table, privilege))
              problems.add(
                  "role has "
                      + privilege
                      + " on "
                      + table
                      + " (REVOKE "
                      + privilege
                      + " ON "
                      + table
                      + " FROM "
                      + role
                      + ")");
          }
        }
      }
    }
  }

  private static boolean hasPrivilege(Connection c, String role, String table, String privilege)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?, ?, ?)")) {
      ps.setString(1, role);
      ps.setString(2, table);
      ps.setString(3, privilege);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static boolean exists(Connection c, String role) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static boolean isMember(Connection c, String role) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_has_role(current_user, ?, 'MEMBER')")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
