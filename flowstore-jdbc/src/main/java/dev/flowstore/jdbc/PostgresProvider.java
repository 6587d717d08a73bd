package dev.flowstore.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.jdbc.internal.JdbcFlowstore;
import dev.flowstore.jdbc.internal.Migrations;
import dev.flowstore.jdbc.internal.PostgresDialect;
import dev.flowstore.jdbc.internal.PostgresRoles;
import dev.flowstore.spi.StorageProvider;
import java.time.Clock;

/**
 * PostgreSQL. The POSTGRES_DSN user owns the schema and runs migrations; tenant queries run as
 * POSTGRES_APP_ROLE (switched to with SET LOCAL ROLE in each transaction), under row-level
 * security.
 */
public final class PostgresProvider implements StorageProvider {
  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public Flowstore open(FlowstoreConfig config, Clock clock) {
    PostgresSettings pg = PostgresSettings.of(config);
    PostgresDsn dsn = pg.dsn();
    String schema = pg.schema();
    String role = pg.appRole();
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("flowstore-postgres");
    hc.setJdbcUrl(dsn.jdbcUrl());
    if (dsn.user() != null) hc.setUsername(dsn.user());
    if (dsn.password() != null) hc.setPassword(dsn.password());
    hc.setSchema(schema);
    hc.setMinimumIdle(pg.poolMin());
    hc.setMaximumPoolSize(pg.poolMax());
    hc.setConnectionTimeout(10_000);
    hc.addDataSourceProperty("reWriteBatchedInserts", "true");
    hc.addDataSourceProperty("ApplicationName", "flowstore");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE,
          "POSTGRES_DSN: cannot connect to " + dsn + ": " + cause.getMessage(),
          e);
    }
    JdbcFlowstore fs = null;
    try {
      PostgresDialect dialect = new PostgresDialect(role);
      Runnable migrate =
          () -> {
            Migrations.migrate(dialect, dsn, schema, role);
            PostgresRoles.provision(ds, schema, role);
          };
      if (config.migrateOnStart()) migrate.run();
      PostgresRoles.check(ds, dialect, schema, role);
      fs =
          new JdbcFlowstore(
              config,
              dialect,
              ds,
              ds,
              clock,
              migrate,
              ds::close,
              "postgres " + dsn.jdbcUrl() + " schema " + schema);
      fs.checkReady();
      if (config.migrateOnStart()) fs.ensureRecordIndexes();
      return fs;
    } catch (RuntimeException e) {
      // why: a store that was made has threads of its own (notifier, statistics); closing it closes
      // the pool too
      try {
        if (fs != null) fs.close();
        else ds.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }
}
