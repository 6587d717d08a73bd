package dev.flowstore;

import dev.flowstore.internal.Providers;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.ConfigSection;
import dev.flowstore.spi.QueueProvider;
import dev.flowstore.spi.StorageProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Validated configuration. Built from the environment (and an optional properties file), from a map
 * of the same keys, or with a {@link #builder()}; every value is checked once, when it is built,
 * and a bad one fails with {@code CONFIGURATION} and a message that starts with the key's name.
 *
 * <p>The settings every deployment has are typed accessors here. The settings of one backend
 * ({@code POSTGRES_*}, {@code REDIS_*}) belong to the module of that backend: its {@link
 * ConfigSection}, found on the classpath, declares the keys and parses them, and the module reads
 * them back with {@link #section(Class)}. Why: a new key, here or in a section, changes no
 * constructor or accessor that callers use; and the backend names accepted in {@code
 * FLOWSTORE_STORE_BACKEND}, {@code FLOWSTORE_QUEUE_BACKEND} and {@code FLOWSTORE_CACHE} are those
 * of the providers found, so a backend is added by adding its module (docs/configuration.md).
 */
public final class FlowstoreConfig {
  private static final String STORE = "FLOWSTORE_STORE_BACKEND";
  private static final String QUEUE = "FLOWSTORE_QUEUE_BACKEND";
  private static final String CACHE = "FLOWSTORE_CACHE";
  private static final String NO_CACHE = "none";

  /** The keys of core's own settings; sections add theirs. */
  private static final Set<String> COMMON_KEYS =
      Set.of(
          STORE,
          QUEUE,
          "FLOWSTORE_DATA_DIR",
          "IDEMPOTENCY_TTL_HOURS",
          "OUTBOX_POLL_INTERVAL_MS",
          "JOB_RETENTION_HOURS",
          "OUTBOX_RETENTION_HOURS",
          "FLOWSTORE_HTTP_HOST",
          "FLOWSTORE_HTTP_PORT",
          "FLOWSTORE_MAX_PAYLOAD_BYTES",
          "FLOWSTORE_MIGRATE_ON_START",
          "FLOWSTORE_ENV",
          CACHE,
          "FLOWSTORE_CONFIG");

  /** The longest JOB_RETENTION_HOURS / OUTBOX_RETENTION_HOURS: ten years. */
  public static final int MAX_RETENTION_HOURS = 24 * 3650;

  private final Map<String, String> given;
  private final String storeBackend;
  private final String queueBackend;
  private final String cache;
  private final Path dataDir;
  private final String env;
  private final String httpHost;
  private final int httpPort;
  private final int maxPayloadBytes;
  private final boolean migrateOnStart;
  private final int idempotencyTtlHours;
  private final int outboxPollIntervalMs;
  private final int jobRetentionHours;
  private final int outboxRetentionHours;
  private final List<Object> sections;

  private FlowstoreConfig(Map<String, String> given, List<ConfigSection> found) {
    this.given = Map.copyOf(given);
    Values in = new Values(this.given, Map.of());
    List<String> stores = Providers.names(StorageProvider.class, StorageProvider::name);
    this.storeBackend = in.text(STORE, "sqlite").toLowerCase(Locale.ROOT);
    if (!stores.contains(storeBackend))
      throw Providers.unknown(STORE, in.text(STORE, "sqlite"), stores, StorageProvider.class);
    this.queueBackend = queueBackend(in, storeBackend, stores);
    List<String> caches =
        new ArrayList<>(Providers.names(CacheProvider.class, CacheProvider::name));
    this.cache = in.text(CACHE, NO_CACHE).toLowerCase(Locale.ROOT);
    caches.add(NO_CACHE);
    if (!caches.contains(cache))
      throw Providers.unknown(CACHE, in.text(CACHE, NO_CACHE), caches, CacheProvider.class);
    this.dataDir = Path.of(in.text("FLOWSTORE_DATA_DIR", "data"));
    this.env = in.text("FLOWSTORE_ENV", "default");
    if (!env.matches("^[a-z0-9][a-z0-9_-]{0,31}$")) {
      throw ConfigSection.invalid(
          "FLOWSTORE_ENV", "must be 1-32 chars of a-z, 0-9, '_' or '-', got '" + env + "'");
    }
    this.httpHost = in.text("FLOWSTORE_HTTP_HOST", "127.0.0.1");
    this.httpPort = in.integer("FLOWSTORE_HTTP_PORT", 8080, 0, 65535);
    this.maxPayloadBytes = in.integer("FLOWSTORE_MAX_PAYLOAD_BYTES", 1 << 20, 1, 64 << 20);
    this.migrateOnStart = in.flag("FLOWSTORE_MIGRATE_ON_START", true);
    this.idempotencyTtlHours = in.integer("IDEMPOTENCY_TTL_HOURS", 24, 1, 24 * 365);
    this.outboxPollIntervalMs = in.integer("OUTBOX_POLL_INTERVAL_MS", 500, 1, 3_600_000);
    this.jobRetentionHours = in.integer("JOB_RETENTION_HOURS", 24, 0, MAX_RETENTION_HOURS);
    this.outboxRetentionHours = in.integer("OUTBOX_RETENTION_HOURS", 24, 0, MAX_RETENTION_HOURS);
    Values selected =
        new Values(this.given, Map.of(STORE, storeBackend, QUEUE, queueBackend, CACHE, cache));
    List<Object> parsed = new ArrayList<>();
    for (ConfigSection section : found) parsed.add(section.parse(selected));
    this.sections = List.copyOf(parsed);
  }

  /**
   * The store's own queue, or a queue backend of the classpath: a SQL queue must live in the
   * store's database.
   */
  private static String queueBackend(Values in, String store, List<String> stores) {
    String queue = in.text(QUEUE, store).toLowerCase(Locale.ROOT);
    List<String> queues = Providers.names(QueueProvider.class, QueueProvider::name);
    if (queue.equals(store) || queues.contains(queue)) return queue;
    if (stores.contains(queue)) {
      throw ConfigSection.invalid(
          QUEUE,
          "'"
              + queue
              + "' differs from "
              + STORE
              + " '"
              + store
              + "'; a SQL queue must use the store's database"
              + (queues.isEmpty() ? "" : " (or use " + String.join(" or ", queues) + ")"));
    }
    List<String> allowed = new ArrayList<>(queues);
    allowed.add(store);
    throw Providers.unknown(QUEUE, in.text(QUEUE, store), allowed, QueueProvider.class);
  }

  /**
   * Reads {@code flowstore.properties} (or the file named by {@code FLOWSTORE_CONFIG}) if present,
   * then the environment on top of it: the environment wins.
   */
  public static FlowstoreConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** As {@link #fromEnvironment()}, from an explicit environment map. */
  public static FlowstoreConfig fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, Map.of());
  }

  /**
   * As {@link #fromEnvironment()}, from an explicit environment map, with {@code overrides} (e.g.
   * command-line options) on top of both the file and the environment.
   */
  public static FlowstoreConfig fromEnvironment(
      Map<String, String> env, Map<String, String> overrides) {
    List<ConfigSection> found = Providers.all(ConfigSection.class);
    Set<String> known = keys(found);
    Map<String, String> merged = new HashMap<>();
    String file = env.get("FLOWSTORE_CONFIG");
    Path path = Path.of(file == null || file.isBlank() ? "flowstore.properties" : file);
    if (Files.exists(path)) {
      merged.putAll(readProperties(path, known));
    } else if (file != null && !file.isBlank()) {
      throw ConfigSection.invalid("FLOWSTORE_CONFIG", "file " + path + " does not exist");
    }
    for (String key : known) {
      if (env.containsKey(key)) merged.put(key, env.get(key));
    }
    merged.putAll(overrides);
    return build(merged, found);
  }

  /**
   * Builds a configuration from explicit keys (unset keys take their defaults). Keys that no
   * section knows are ignored, as in the environment, which holds many.
   */
  public static FlowstoreConfig fromMap(Map<String, String> values) {
    return build(values, Providers.all(ConfigSection.class));
  }

  private static FlowstoreConfig build(Map<String, String> values, List<ConfigSection> found) {
    Set<String> known = keys(found);
    Map<String, String> given = new HashMap<>();
    values.forEach(
        (k, v) -> {
          if (known.contains(k) && v != null && !v.isBlank()) given.put(k, v.trim());
        });
    return new FlowstoreConfig(given, found);
  }

  /** An empty builder: every key at its default until {@link Builder#set set}. */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /** A builder holding the keys this configuration was given; {@link Builder#set} changes them. */
  public Builder toBuilder() {
    return new Builder(given);
  }

  /**
   * Every key flowstore reads with the modules on this classpath: core's and those of every {@link
   * ConfigSection} found.
   */
  public static Set<String> keys() {
    return keys(Providers.all(ConfigSection.class));
  }

  private static Set<String> keys(List<ConfigSection> found) {
    Set<String> keys = new TreeSet<>(COMMON_KEYS);
    for (ConfigSection section : found) keys.addAll(section.keys());
    return keys;
  }

  /**
   * The settings of a backend's section, e.g. {@code config.section(PostgresSettings.class)}: what
   * its {@link ConfigSection#parse} returned.
   *
   * @throws IllegalStateException when no section on the classpath parses into {@code type}
   */
  public <T> T section(Class<T> type) {
    for (Object s : sections) {
      if (type.isInstance(s)) return type.cast(s);
    }
    throw new IllegalStateException(
        "no configuration section of type " + type.getName() + " is on the classpath");
  }

  /**
   * The value given for {@code key} (trimmed), or null when it was not set and its default applies.
   * For tools that cannot depend on the module owning the key; code of that module reads the typed
   * {@link #section(Class)} instead.
   */
  public String given(String key) {
    return given.get(key);
  }

  /** {@code FLOWSTORE_STORE_BACKEND}: a storage provider's name (default sqlite). */
  public String storeBackend() {
    return storeBackend;
  }

  /**
   * {@code FLOWSTORE_QUEUE_BACKEND}: the store backend (its own SQL queue, the default) or a queue
   * provider's name, e.g. redis.
   */
  public String queueBackend() {
    return queueBackend;
  }

  /** {@code FLOWSTORE_CACHE}: none (default) or a cache provider's name, e.g. redis. */
  public String cache() {
    return cache;
  }

  /** {@code FLOWSTORE_DATA_DIR}: where SQLite and archives live (default ./data). */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * {@code FLOWSTORE_ENV}: the environment name in Redis keys {@code flowstore:{env}:...} (default
   * {@code default}).
   */
  public String env() {
    return env;
  }

  /** {@code FLOWSTORE_HTTP_HOST} (default 127.0.0.1). */
  public String httpHost() {
    return httpHost;
  }

  /** {@code FLOWSTORE_HTTP_PORT} (default 8080; 0 picks a free port). */
  public int httpPort() {
    return httpPort;
  }

  /** {@code FLOWSTORE_MAX_PAYLOAD_BYTES}: per event or job payload (default 1 MiB). */
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** {@code FLOWSTORE_MIGRATE_ON_START} (default true). */
  public boolean migrateOnStart() {
    return migrateOnStart;
  }

  /** {@code IDEMPOTENCY_TTL_HOURS} (default 24). */
  public int idempotencyTtlHours() {
    return idempotencyTtlHours;
  }

  /** {@code OUTBOX_POLL_INTERVAL_MS}: how often outbox relays poll (default 500). */
  public int outboxPollIntervalMs() {
    return outboxPollIntervalMs;
  }

  /**
   * {@code JOB_RETENTION_HOURS}: the sweeper deletes jobs that succeeded longer ago than this
   * (default 24; 0 keeps them forever).
   */
  public int jobRetentionHours() {
    return jobRetentionHours;
  }

  /**
   * {@code OUTBOX_RETENTION_HOURS}: the sweeper deletes outbox messages published longer ago than
   * this (default 24; 0 keeps them forever).
   */
  public int outboxRetentionHours() {
    return outboxRetentionHours;
  }

  /** JOB_RETENTION_HOURS as a duration, or null when succeeded jobs are kept forever (0). */
  public Duration jobRetention() {
    return jobRetentionHours == 0 ? null : Duration.ofHours(jobRetentionHours);
  }

  /** OUTBOX_RETENTION_HOURS as a duration, or null when published messages are kept forever (0). */
  public Duration outboxRetention() {
    return outboxRetentionHours == 0 ? null : Duration.ofHours(outboxRetentionHours);
  }

  /** Whether the HTTP server binds only to the loopback interface. */
  public boolean loopbackOnly() {
    return isLoopback(httpHost);
  }

  /** Whether a bind address is a loopback one (127.x, localhost, ::1). */
  public static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.equals("::1")
        || host.equals("[::1]")
        || host.startsWith("127.");
  }

  /** Equal when given the same keys (the settings are a function of them). */
  @Override
  public boolean equals(Object o) {
    return o instanceof FlowstoreConfig c && given.equals(c.given);
  }

  @Override
  public int hashCode() {
    return given.hashCode();
  }

  /** The backends and the keys given, without their values (a DSN may hold a password). */
  @Override
  public String toString() {
    return "FlowstoreConfig[store="
        + storeBackend
        + ", queue="
        + queueBackend
        + ", cache="
        + cache
        + ", given="
        + new TreeSet<>(given.keySet())
        + "]";
  }

  /**
   * Builds a configuration key by key. Unlike {@link #fromMap}, which ignores keys it does not know
   * (an environment holds many), a key no section knows fails at {@link #build()}: here it can only
   * be a mistake.
   */
  public static final class Builder {
    private final Map<String, String> values;

    private Builder(Map<String, String> values) {
      this.values = new HashMap<>(values);
    }

    /** Sets {@code key}; null or blank unsets it (its default applies). */
    public Builder set(String key, String value) {
      if (value == null || value.isBlank()) values.remove(key);
      else values.put(key, value);
      return this;
    }

    /**
     * The configuration, every value checked.
     *
     * @throws FlowstoreException {@code CONFIGURATION} for a bad value or an unknown key
     */
    public FlowstoreConfig build() {
      List<ConfigSection> found = Providers.all(ConfigSection.class);
      Set<String> known = keys(found);
      for (String key : new TreeSet<>(values.keySet())) {
        if (!known.contains(key)) throw unknownKey(key, "", known);
      }
      return FlowstoreConfig.build(values, found);
    }
  }

  /**
   * The keys given to a configuration, as a {@link ConfigSection} reads them: trimmed, blank ones
   * dropped. Its parsers fail as every key does ({@code CONFIGURATION}, a message starting with the
   * key's name), so a section checks a value in one call.
   */
  public static final class Values {
    private final Map<String, String> given;
    private final Map<String, String> selected;

    private Values(Map<String, String> given, Map<String, String> selected) {
      this.given = given;
      this.selected = selected;
    }

    /** The value of {@code key}, or {@code dflt} (may be null) when it is not set. */
    public String text(String key, String dflt) {
      return given.getOrDefault(key, dflt);
    }

    /** The integer value of {@code key} in [min, max], or {@code dflt} when it is not set. */
    public int integer(String key, int dflt, int min, int max) {
      String s = given.get(key);
      if (s == null) return dflt;
      int n;
      try {
        n = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw ConfigSection.invalid(key, "must be an integer, got '" + s + "'");
      }
      if (n < min || n > max)
        throw ConfigSection.invalid(key, "must be between " + min + " and " + max + ", got " + n);
      return n;
    }

    /** The boolean value of {@code key} (true/false, 1/0, yes/no), or {@code dflt}. */
    public boolean flag(String key, boolean dflt) {
      String s = given.get(key);
      if (s == null) return dflt;
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw ConfigSection.invalid(key, "must be true or false, got '" + s + "'");
      };
    }

    /**
     * Which of {@code FLOWSTORE_STORE_BACKEND}, {@code FLOWSTORE_QUEUE_BACKEND} and {@code
     * FLOWSTORE_CACHE} (first in that order) selects the backend {@code name}, or null if none
     * does: a section's connection setting is required only then ("REDIS_DSN: required when
     * FLOWSTORE_QUEUE_BACKEND=redis").
     */
    public String selectedBy(String name) {
      for (String key : List.of(STORE, QUEUE, CACHE)) {
        if (name.equals(selected.get(key))) return key;
      }
      return null;
    }
  }

  private static Map<String, String> readProperties(Path path, Set<String> known) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(path)) {
      p.load(r);
    } catch (IOException e) {
      throw ConfigSection.invalid(
          "FLOWSTORE_CONFIG", "cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> out = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      if (!known.contains(name)) throw unknownKey(name, " in " + path, known);
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  private static FlowstoreException unknownKey(String key, String where, Set<String> known) {
    return ConfigSection.invalid(
        key, "unknown key" + where + " (known: " + String.join(", ", known) + ")");
  }
}
