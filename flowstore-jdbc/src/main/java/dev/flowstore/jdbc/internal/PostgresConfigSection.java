package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.jdbc.PostgresDsn;
import dev.flowstore.jdbc.PostgresSettings;
import dev.flowstore.spi.ConfigSection;
import java.util.Set;

/** The {@code POSTGRES_*} keys: {@link PostgresSettings}. */
public final class PostgresConfigSection implements ConfigSection {
  private static final String SQL_IDENTIFIER = "^[a-z_][a-z0-9_]{0,62}$";

  @Override
  public Set<String> keys() {
    return Set.of(
        "POSTGRES_DSN",
        "POSTGRES_POOL_MIN",
        "POSTGRES_POOL_MAX",
        "POSTGRES_SCHEMA",
        "POSTGRES_APP_ROLE",
        "POSTGRES_ANALYZE");
  }

  @Override
  public PostgresSettings parse(FlowstoreConfig.Values in) {
    String text = in.text("POSTGRES_DSN", null);
    PostgresDsn dsn = text == null ? null : PostgresDsn.parse(text);
    String selectedBy = in.selectedBy("postgres");
    if (dsn == null && selectedBy != null) {
      throw ConfigSection.invalid(
          "POSTGRES_DSN",
          "required when "
              + selectedBy
              + "=postgres (e.g. postgresql://user:password@127.0.0.1:5432/db)");
    }
    int poolMin = in.integer("POSTGRES_POOL_MIN", 1, 0, 1000);
    int poolMax = in.integer("POSTGRES_POOL_MAX", 10, 1, 1000);
    if (poolMin > poolMax) {
      throw ConfigSection.invalid(
          "POSTGRES_POOL_MIN", poolMin + " is larger than POSTGRES_POOL_MAX " + poolMax);
    }
    String schema = in.text("POSTGRES_SCHEMA", "flowstore");
    if (!schema.matches(SQL_IDENTIFIER)) {
      throw ConfigSection.invalid(
          "POSTGRES_SCHEMA", "must be a lower-case SQL identifier, got '" + schema + "'");
    }
    String role = in.text("POSTGRES_APP_ROLE", "flowstore_app");
    if (!role.matches(SQL_IDENTIFIER)) {
      throw ConfigSection.invalid(
          "POSTGRES_APP_ROLE", "must be a lower-case SQL identifier or 'none', got '" + role + "'");
    }
    boolean analyze = in.flag("POSTGRES_ANALYZE", true);
    return new PostgresSettings(dsn, poolMin, poolMax, schema, role, analyze);
  }
}
