package dev.flowstore.jdbc;

import dev.flowstore.FlowstoreConfig;

/**
 * The {@code POSTGRES_*} keys of a configuration, parsed and checked by this module's {@link
 * dev.flowstore.spi.ConfigSection} when the configuration is built (docs/configuration.md).
 *
 * @param dsn {@code POSTGRES_DSN}, or null when unset (required when FLOWSTORE_STORE_BACKEND is
 *     postgres)
 * @param poolMin {@code POSTGRES_POOL_MIN} (default 1)
 * @param poolMax {@code POSTGRES_POOL_MAX} (default 10)
 * @param schema {@code POSTGRES_SCHEMA}: the schema flowstore's tables live in (default flowstore)
 * @param appRole {@code POSTGRES_APP_ROLE}: the role tenant queries run as (default flowstore_app);
 *     "none" runs them as the DSN's login user, which then must not be superuser, BYPASSRLS or
 *     owner
 * @param analyze {@code POSTGRES_ANALYZE} (default true): flowstore runs {@code ANALYZE} on its own
 *     tables when PostgreSQL has no planner statistics for them yet, or autovacuum is off (see
 *     docs/configuration.md)
 */
public record PostgresSettings(
    PostgresDsn dsn, int poolMin, int poolMax, String schema, String appRole, boolean analyze) {

  /** The PostgreSQL settings of {@code config}. */
  public static PostgresSettings of(FlowstoreConfig config) {
    return config.section(PostgresSettings.class);
  }
}
