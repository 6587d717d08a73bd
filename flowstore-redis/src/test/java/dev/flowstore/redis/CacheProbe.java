package dev.flowstore.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowstore.Flowstore;
import dev.flowstore.MetricCounter;
import dev.flowstore.TenantId;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

/** A test's direct view of the cache: its Redis entries and its counters. */
final class CacheProbe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Flowstore fs;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> conn;

  CacheProbe(Flowstore fs, String dsn) {
    this.fs = fs;
    this.client = RedisClient.create(dsn);
    this.conn = client.connect();
  }

  static String key(TenantId tenant, UUID sessionId) {
    return "flowstore:default:{" + tenant.value() + "}:session:" + sessionId;
  }

  /** The raw cache entry, or null. */
  String entry(TenantId tenant, UUID sessionId) {
    return conn.sync().get(key(tenant, sessionId));
  }

  void put(TenantId tenant, UUID sessionId, String raw) {
    conn.sync().set(key(tenant, sessionId), raw);
  }

  long ttlMillis(TenantId tenant, UUID sessionId) {
    return conn.sync().pttl(key(tenant, sessionId));
  }

  static String recordKey(TenantId tenant, String collection, String id) {
    return "flowstore:default:{" + tenant.value() + "}:record:" + collection + ":" + id;
  }

  /** The raw cache entry of a record, or null. */
  String record(TenantId tenant, String collection, String id) {
    return conn.sync().get(recordKey(tenant, collection, id));
  }

  void putRecord(TenantId tenant, String collection, String id, String raw) {
    conn.sync().set(recordKey(tenant, collection, id), raw);
  }

  /** The key of a record by unique value, computed here as the cache computes it. */
  static String byUniqueKey(TenantId tenant, String collection, String pointer, String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (pointer + "\n" + JSON.writeValueAsString(value))
                      .getBytes(StandardCharsets.UTF_8));
      return "flowstore:default:{"
          + tenant.value()
          + "}:record-by:"
          + collection
          + ":"
          + HexFormat.of().formatHex(digest);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String byUnique(TenantId tenant, String collection, String pointer, String value) {
    return conn.sync().get(byUniqueKey(tenant, collection, pointer, value));
  }

  void putByUnique(TenantId tenant, String collection, String pointer, String value, String raw) {
    conn.sync().set(byUniqueKey(tenant, collection, pointer, value), raw);
  }

  long recordTtlMillis(TenantId tenant, String collection, String id) {
    return conn.sync().pttl(recordKey(tenant, collection, id));
  }

  /** The store's counter {@code name} (e.g. {@code flowstore.cache.hits}). */
  long count(String name) {
    return fs.metrics().stream()
        .filter(m -> m.name().equals(name))
        .mapToLong(m -> m.count().getAsLong())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no counter " + name + " in " + names()));
  }

  private String names() {
    return fs.metrics().stream().map(MetricCounter::name).toList().toString();
  }

  @Override
  public void close() {
    conn.close();
    client.shutdown();
  }
}
