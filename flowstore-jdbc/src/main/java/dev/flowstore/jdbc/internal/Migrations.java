package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.jdbc.PostgresDsn;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Flyway, one location per dialect ({@link Dialect#migrations}): plain SQL files under
 * db/migration/&lt;dialect&gt;.
 */
public final class Migrations {
  private Migrations() {}

  /** Migrates over the store's own connections (SQLite: its writer). */
  public static void migrate(Dialect dialect, DataSource ds) {
    run(Flyway.configure().dataSource(ds).locations(dialect.migrations()), dialect.name());
  }

  /**
   * Migrates a PostgreSQL schema over connections of its own (Flyway needs two at once; the pool
   * may allow only one), creating the schema if missing; {@code ${app_role}} in the scripts is the
   * role tenant transactions run as.
   */
  public static void migrate(Dialect dialect, PostgresDsn dsn, String schema, String appRole) {
    run(
        Flyway.configure()
            .dataSource(dsn.jdbcUrl(), dsn.user(), dsn.password())
            .schemas(schema)
            .defaultSchema(schema)
            .createSchemas(true)
            .placeholders(Map.of("app_role", appRole))
            .locations(dialect.migrations()),
        dialect.name() + " schema " + schema);
  }

  private static void run(FluentConfiguration cfg, String what) {
    try {
      cfg.loggers("slf4j").load().migrate();
    } catch (FlywayException e) {
      throw new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE, "migrating " + what + " failed: " + e.getMessage(), e);
    }
  }
}
