package dev.flowstore.redis.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Key names of one tenant: {@code flowstore:<env>:{<tenant>}:...}. The braces are a Redis Cluster
 * hash tag, so every key of a tenant lives in one slot and one Lua script can touch them all. Queue
 * keys are {@code <prefix><queue>:<part>}; tenant-wide keys start with {@code #} (never part of a
 * queue name), so a queue cannot collide with them.
 *
 * <pre>
 * <prefix>#job:<id>          hash: the job (fields without a value are absent), and its newest attempt
 *                            (att_tail = 1: the open one while leased, else last_outcome...)
 * <prefix>#att:<id>          list: the older attempts, one "attempt|token|outcome|leased_at|finished_at|error"
 *                            each (none for a job leased once: no list)
 * <prefix>#seq               counter: enqueue order
 * <prefix>#queues            set: the tenant's queue names
 * <prefix>#dlq_ops           hash: job id -> redrive|purge while a DLQ admin step is in flight
 * <prefix>#succeeded         zset by finished_at (micros): SUCCEEDED job ids (retention: purgeSucceeded)
 * <prefix>#succeeded_n       hash: queue -> how many SUCCEEDED jobs it has (stats)
 * <prefix><queue>:ready      zset, all scores 0, members "<inverted priority>:<run_at>:<seq>:<id>" (lex order = lease order)
 * <prefix><queue>:delayed    zset by run_at (micros): queued jobs not yet due
 * <prefix><queue>:leased     zset by lease expiry (micros)
 * <prefix><queue>:uniq       hash: unique_key -> id of the active job holding it
 * <prefix><queue>:dlq_pending|dlq_recorded|failed   sets of job ids
 * <prefix>session:<id>       string: a cached session (RedisSessionCache), "session:" + a UUID
 *                            can't be a queue key: queue names have no ':'
 * <prefix>record:<collection>:<id>   string: a cached record (RedisSessionCache); a collection name
 *                            has no ':', so the collection ends at the first one
 * <prefix>record-by:<collection>:<sha-256>   string: a cached record by a unique value; the hash is
 *                            of the field's pointer and the value's JSON (either may hold any
 *                            character)
 * </pre>
 */
record Keys(String env, TenantId tenant) {
  /** The key everything of the tenant starts with. */
  String prefix() {
    return "flowstore:" + env + ":{" + tenant.value() + "}:";
  }

  /** The key a script is routed by (any key of the tenant's slot). */
  String route() {
    return prefix() + "#seq";
  }

  String job(UUID id) {
    return prefix() + "#job:" + id;
  }

  /**
   * A cached session (the key layout issue 5 names: {@code
   * flowstore:{env}:{<tenant>}:session:<id>}).
   */
  String session(UUID id) {
    return prefix() + "session:" + id;
  }

  /** A cached record. */
  String record(String collection, String id) {
    return prefix() + "record:" + collection + ":" + id;
  }

  /** A cached record by the value of one of its unique fields. */
  String recordByUnique(String collection, String pointer, JsonNode value) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest((pointer + "\n" + Json.write(value)).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return prefix() + "record-by:" + collection + ":" + HexFormat.of().formatHex(digest);
  }

  /** The pub/sub message that announces work in a queue of this tenant. */
  String wakeKey(String queue) {
    return tenant.value() + ":" + queue;
  }
}
