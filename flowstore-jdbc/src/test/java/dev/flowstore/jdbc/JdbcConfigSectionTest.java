package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;

/**
 * The {@code POSTGRES_*} keys, parsed by this module's section, and the backend names of this
 * module's classpath (sqlite, postgres; no Redis here).
 */
class JdbcConfigSectionTest {
  @Test
  void postgresSettingsHaveTheirDefaultsAndAreCheckedWhicheverStoreIsUsed() {
    assertThat(PostgresSettings.of(FlowstoreConfig.fromMap(Map.of())))
        .isEqualTo(new PostgresSettings(null, 1, 10, "flowstore", "flowstore_app", true));
    assertFails(Map.of("FLOWSTORE_STORE_BACKEND", "postgres"))
        .isEqualTo(
            "POSTGRES_DSN: required when FLOWSTORE_STORE_BACKEND=postgres (e.g."
                + " postgresql://user:password@127.0.0.1:5432/db)");
    assertFails(Map.of("POSTGRES_DSN", "mysql://h/db"))
        .isEqualTo("POSTGRES_DSN: must start with postgresql:// or jdbc:postgresql:");
    assertFails(Map.of("POSTGRES_POOL_MIN", "5", "POSTGRES_POOL_MAX", "2"))
        .isEqualTo("POSTGRES_POOL_MIN: 5 is larger than POSTGRES_POOL_MAX 2");
    assertFails(Map.of("POSTGRES_POOL_MAX", "0"))
        .isEqualTo("POSTGRES_POOL_MAX: must be between 1 and 1000, got 0");
    assertFails(Map.of("POSTGRES_SCHEMA", "Bad-Schema"))
        .isEqualTo("POSTGRES_SCHEMA: must be a lower-case SQL identifier, got 'Bad-Schema'");
    assertFails(Map.of("POSTGRES_APP_ROLE", "app role"))
        .startsWith("POSTGRES_APP_ROLE: must be a lower-case SQL identifier or 'none'");
    PostgresSettings pg =
        PostgresSettings.of(
            FlowstoreConfig.fromMap(
                Map.of(
                    "FLOWSTORE_STORE_BACKEND",
                    "postgres",
                    "POSTGRES_DSN",
                    "postgresql://u:p%40ss@db.example:5433/app?sslmode=require",
                    "POSTGRES_SCHEMA",
                    "s1",
                    "POSTGRES_POOL_MAX",
                    "4")));
    assertThat(pg)
        .isEqualTo(
            new PostgresSettings(
                new PostgresDsn(
                    "jdbc:postgresql://db.example:5433/app?sslmode=require", "u", "p@ss"),
                1,
                4,
                "s1",
                "flowstore_app",
                true));
    assertThat(pg.dsn().toString()).doesNotContain("p@ss");
    assertThat(
            PostgresSettings.of(FlowstoreConfig.fromMap(Map.of("POSTGRES_ANALYZE", "false")))
                .analyze())
        .isFalse();
    assertFails(Map.of("POSTGRES_ANALYZE", "sometimes"))
        .isEqualTo("POSTGRES_ANALYZE: must be true or false, got 'sometimes'");
  }

  @Test
  void backendsAreTheProvidersOfThisClasspath() {
    assertThat(FlowstoreConfig.keys())
        .contains("POSTGRES_DSN", "POSTGRES_SCHEMA", "FLOWSTORE_STORE_BACKEND")
        .doesNotContain("REDIS_DSN");
    assertFails(Map.of("FLOWSTORE_STORE_BACKEND", "oracle"))
        .isEqualTo(
            "FLOWSTORE_STORE_BACKEND: must be one of [postgres, sqlite] (found on the classpath),"
                + " got 'oracle'; add the module that provides it (a jar registering a"
                + " dev.flowstore.spi.StorageProvider named 'oracle')");
    assertFails(Map.of("FLOWSTORE_QUEUE_BACKEND", "redis", "REDIS_DSN", "redis://h:6379/0"))
        .as("flowstore-redis is not on this classpath")
        .isEqualTo(
            "FLOWSTORE_QUEUE_BACKEND: must be one of [sqlite] (found on the classpath), got"
                + " 'redis'; add the module that provides it (a jar registering a"
                + " dev.flowstore.spi.QueueProvider named 'redis')");
    assertFails(Map.of("FLOWSTORE_QUEUE_BACKEND", "postgres"))
        .isEqualTo(
            "FLOWSTORE_QUEUE_BACKEND: 'postgres' differs from FLOWSTORE_STORE_BACKEND 'sqlite'; a"
                + " SQL queue must use the store's database");
    assertFails(Map.of("FLOWSTORE_CACHE", "redis"))
        .startsWith("FLOWSTORE_CACHE: must be one of [none]");
  }

  private static AbstractStringAssert<?> assertFails(Map<String, String> values) {
    return assertThatThrownBy(() -> FlowstoreConfig.fromMap(values))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
        .message();
  }
}
