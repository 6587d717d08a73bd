package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.jdbc.PostgresDsn;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Flyway, one location per dialect. Migrations are plain SQL files under
 * db/migration/&lt;dialect&gt;.
 */
public final class Migrations {
  private Migrations() {}

  public static void sqlite(DataSource ds) {
    run(Flyway.configure().dataSource(ds).locations("classpath:db/migration/sqlite"), "sqlite");
  }

  /**
   * Migrates over connections of its own (Flyway needs two at once; the pool may allow only one).
   */
  public static void postgres(PostgresDsn dsn, String schema, String appRole) {
    run(
        Flyway.configure()
            .dataSource(dsn.jdbcUrl(), dsn.user(), dsn.password())
            .schemas(schema)
            .defaultSchema(schema)
            .createSchemas(true)
            .placeholders(Map.of("app_role", appRole))
            .locations("classpath:db/migration/postgresql"),
        "postgresql schema " + schema);
  }

  private static void run(
      org.flywaydb.core.api.configuration.FluentConfiguration cfg, String what) {
    try {
      cfg.loggers("slf4j").load().migrate();
    } catch (FlywayException e) {
      throw new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE, "migrating " + what + " failed: " + e.getMessage(), e);
    }
  }
}
