package dev.flowstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.TestPlugins.BrokerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core's settings and the sections of plug-ins. Core ships no backend: its tests run with the
 * {@link TestPlugins} (stores memory and disk, queue broker, cache memo, the broker's section).
 */
class FlowstoreConfigTest {
  private static final Map<String, String> MEMORY = Map.of("FLOWSTORE_STORE_BACKEND", "memory");

  @Test
  void commonSettingsHaveTheirDefaults() {
    FlowstoreConfig c = FlowstoreConfig.fromMap(MEMORY);
    assertThat(c.storeBackend()).isEqualTo("memory");
    assertThat(c.queueBackend()).as("the store's own queue").isEqualTo("memory");
    assertThat(c.cache()).isEqualTo("none");
    assertThat(c.dataDir()).isEqualTo(Path.of("data"));
    assertThat(c.env()).isEqualTo("default");
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.loopbackOnly()).isTrue();
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.maxPayloadBytes()).isEqualTo(1 << 20);
    assertThat(c.migrateOnStart()).isTrue();
    assertThat(c.idempotencyTtlHours()).isEqualTo(24);
    assertThat(c.outboxPollIntervalMs()).isEqualTo(500);
    assertThat(c.section(BrokerSettings.class)).isEqualTo(new BrokerSettings(null, 10));
  }

  @Test
  void backendNamesAreThoseOfTheProvidersFound() {
    assertFails(Map.of())
        .as("sqlite, the default, is not on core's classpath")
        .isEqualTo(
            "FLOWSTORE_STORE_BACKEND: must be one of [disk, memory] (found on the classpath),"
                + " got 'sqlite'; add the module that provides it (a jar"
                + " registering a dev.flowstore.spi.StorageProvider named 'sqlite')");
    assertThat(FlowstoreConfig.fromMap(Map.of("FLOWSTORE_STORE_BACKEND", "MEMORY")).storeBackend())
        .isEqualTo("memory");
    assertFails(with("FLOWSTORE_QUEUE_BACKEND", "rabbit"))
        .startsWith(
            "FLOWSTORE_QUEUE_BACKEND: must be one of [broker, memory] (found on the classpath),"
                + " got 'rabbit'")
        .contains("dev.flowstore.spi.QueueProvider named 'rabbit'");
    assertFails(with("FLOWSTORE_QUEUE_BACKEND", "disk"))
        .isEqualTo(
            "FLOWSTORE_QUEUE_BACKEND: 'disk' differs from FLOWSTORE_STORE_BACKEND 'memory'; a SQL"
                + " queue must use the store's database (or use broker)");
    assertFails(with("FLOWSTORE_CACHE", "Memcached"))
        .startsWith(
            "FLOWSTORE_CACHE: must be one of [memo, none] (found on the classpath), got"
                + " 'Memcached'")
        .contains("dev.flowstore.spi.CacheProvider named 'memcached'");
    FlowstoreConfig c =
        FlowstoreConfig.fromMap(
            with(
                "FLOWSTORE_QUEUE_BACKEND",
                "broker",
                "FLOWSTORE_CACHE",
                "memo",
                "BROKER_URL",
                "b:"));
    assertThat(c.queueBackend()).isEqualTo("broker");
    assertThat(c.cache()).isEqualTo("memo");
  }

  @Test
  void aBadValueOfASectionsKeyFailsNamingTheKey() {
    assertFails(with("BROKER_LIMIT", "0"))
        .isEqualTo("BROKER_LIMIT: must be between 1 and 100, got 0");
    assertFails(with("BROKER_LIMIT", "many"))
        .isEqualTo("BROKER_LIMIT: must be an integer, got 'many'");
    assertFails(with("FLOWSTORE_QUEUE_BACKEND", "broker"))
        .isEqualTo("BROKER_URL: required when FLOWSTORE_QUEUE_BACKEND=broker");
    assertThatThrownBy(() -> FlowstoreConfig.fromEnvironment(with("BROKER_LIMIT", "101")))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
              assertThat(e.getMessage()).startsWith("BROKER_LIMIT: ");
            });
  }

  /**
   * The broker's keys reach its section through the same calls as core's keys: a key added to a
   * section changes nothing in core or in any caller.
   */
  @Test
  void aSectionsKeysAreReadLikeCoresOwn(@TempDir Path dir) throws IOException {
    assertThat(FlowstoreConfig.keys())
        .contains("BROKER_URL", "BROKER_LIMIT", "FLOWSTORE_CACHE", "FLOWSTORE_CONFIG");
    FlowstoreConfig fromEnv =
        FlowstoreConfig.fromEnvironment(with("BROKER_LIMIT", " 42 ", "NOT_OURS", "x"));
    assertThat(fromEnv.section(BrokerSettings.class).limit()).isEqualTo(42);
    assertThat(fromEnv.given("BROKER_LIMIT")).isEqualTo("42");
    assertThat(fromEnv.given("BROKER_URL")).isNull();
    assertThat(fromEnv.given("NOT_OURS")).isNull();

    Path file = dir.resolve("flowstore.properties");
    Files.writeString(file, "BROKER_LIMIT=7\nFLOWSTORE_STORE_BACKEND=memory\n");
    FlowstoreConfig fromFile =
        FlowstoreConfig.fromEnvironment(
            Map.of("FLOWSTORE_CONFIG", file.toString(), "BROKER_URL", "b:"),
            Map.of("FLOWSTORE_HTTP_PORT", "0"));
    assertThat(fromFile.section(BrokerSettings.class)).isEqualTo(new BrokerSettings("b:", 7));
    assertThat(fromFile.httpPort()).isZero();

    Files.writeString(file, "BROKER_LIMT=7\n");
    assertThatThrownBy(
            () -> FlowstoreConfig.fromEnvironment(Map.of("FLOWSTORE_CONFIG", file.toString())))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e ->
                assertThat(e.getMessage())
                    .startsWith("BROKER_LIMT: unknown key in " + file + " (known: ")
                    .contains("BROKER_LIMIT, BROKER_URL"));
  }

  @Test
  void aBuilderSetsKeysAndRefusesUnknownOnes() {
    FlowstoreConfig c =
        FlowstoreConfig.builder()
            .set("FLOWSTORE_STORE_BACKEND", "memory")
            .set("FLOWSTORE_HTTP_PORT", " 0 ")
            .build();
    assertThat(c.httpPort()).isZero();
    FlowstoreConfig back = c.toBuilder().set("FLOWSTORE_HTTP_PORT", null).build();
    assertThat(back.httpPort()).isEqualTo(8080);
    assertThat(back).isEqualTo(FlowstoreConfig.fromMap(MEMORY)).isNotEqualTo(c);
    assertThat(back.hashCode()).isEqualTo(FlowstoreConfig.fromMap(MEMORY).hashCode());
    assertThatThrownBy(() -> c.toBuilder().set("FLOWSTORE_HTTP_PROT", "1").build())
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e ->
                assertThat(e.getMessage()).startsWith("FLOWSTORE_HTTP_PROT: unknown key (known: "));
    assertThat(FlowstoreConfig.fromMap(with("FLOWSTORE_HTTP_PROT", "1")))
        .as("fromMap, like the environment, ignores keys it does not know")
        .isEqualTo(FlowstoreConfig.fromMap(MEMORY));
    assertThat(c.toString()).contains("store=memory").doesNotContain("8080");
  }

  @Test
  void aSectionNotOnTheClasspathIsAnError() {
    FlowstoreConfig c = FlowstoreConfig.fromMap(MEMORY);
    assertThatThrownBy(() -> c.section(String.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("java.lang.String");
  }

  private static Map<String, String> with(String... keyValues) {
    Map<String, String> m = new HashMap<>(MEMORY);
    for (int i = 0; i < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
    return m;
  }

  private static AbstractStringAssert<?> assertFails(Map<String, String> values) {
    return assertThatThrownBy(() -> FlowstoreConfig.fromMap(values))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
        .message();
  }
}
