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
import java.util.Set;
import javax.sql.DataSource;

/**
 * The PostgreSQL application role that tenant queries run as, and the start-up check that row-level
 * security really applies to it: not superuser, no BYPASSRLS, owns no table, and every tenant table
 * has RLS enabled and forced. flowstore refuses to start when any of these fails.
 */
public final class PostgresRoles {
  /** Tables outside tenant scope (no RLS), each for a reason written in its migration. */
  static final Set<String> NON_TENANT_TABLES =
      Set.of("api_keys", "tenants", "flyway_schema_history");

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
      s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
      s.execute(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
      s.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
      s.execute("REVOKE ALL ON " + schema + ".flyway_schema_history FROM " + role);
      if (!isMember(c, role)) s.execute("GRANT " + role + " TO CURRENT_USER");
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
  public static void check(DataSource ds, String schema, String role) {
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
      if (problems.isEmpty() && !isMember(c, role))
        problems.add(
            "the POSTGRES_DSN user cannot SET ROLE "
                + role
                + " (GRANT "
                + role
                + " TO <that user>)");
      String tables =
          "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p')";
      try (PreparedStatement ps = c.prepareStatement(tables)) {
        ps.setString(1, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String table = rs.getString(1);
            if (rs.getString(2).equals(role))
              problems.add(
                  "role owns table "
                      + schema
                      + "."
                      + table
                      + " (owners bypass row-level security; ALTER TABLE ... OWNER TO the migration user)");
            if (!NON_TENANT_TABLES.contains(table) && !(rs.getBoolean(3) && rs.getBoolean(4))) {
              problems.add(
                  "table " + schema + "." + table + " lacks ENABLE + FORCE ROW LEVEL SECURITY");
            }
          }
        }
      }
    } catch (SQLException e) {
      throw SqlErrors.translate("checking PostgreSQL role " + role, e);
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
