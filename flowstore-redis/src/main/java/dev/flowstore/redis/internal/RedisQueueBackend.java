package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.MetricCounter;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Wakeups;
import dev.flowstore.spi.DeadLetterStore;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueHost;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Redis queue backend: the Lettuce client, the command connection shared by every tenant's
 * queue ({@link RedisCalls}, which makes every call and maps its failures), one pub/sub connection
 * for wake-ups, the data-loss marker and the data layout, and what this process remembers per
 * tenant (ack lanes, tenants put on the SQL store's list, open leases). why these stay here: they
 * live as long as the backend and are shared by all of a tenant's queue instances, while a call
 * over the connection knows nothing of them.
 *
 * <p>Connection loss: commands are rejected while disconnected (not buffered), so every call fails
 * fast with {@code BACKEND_UNAVAILABLE}; Lettuce reconnects by itself and the next call succeeds.
 *
 * <p>Data loss: at open a marker key {@code flowstore:<env>:marker} is created (or adopted) holding
 * a random epoch. A Redis that restarted without persistence (or was flushed) no longer holds it:
 * {@link #checkReady()} then fails, logs an error once, and stays failing until an operator has
 * re-published what was lost and re-set the marker (docs/operations.md).
 */
public final class RedisQueueBackend implements QueueBackend {
  private static final Logger log = LoggerFactory.getLogger(RedisQueueBackend.class);

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** The data layout this code reads and writes ({@link #migrateLayout}). */
  static final String LAYOUT = "2";

  private final QueueHost host;
  private final String env;
  private final RedisURI uri;
  private final RedisClient client;
  private final RedisCalls redis;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final Wakeups wakeups = new Wakeups();
  private final String channel;
  private final String markerKey;
  private final String epoch;
  private final AtomicLong dataLossDetected = new AtomicLong();
  // why: one ack lane per tenant with acks in flight; a lane leaves the map when it goes idle, so
  // the map holds busy tenants only (AckBatcher)
  private final Map<TenantId, AckBatcher> ackBatchers = new ConcurrentHashMap<>();
  // why: tenants this process has put on the SQL store's tenant list (the list the sweeper walks),
  // so an enqueue pays the SQL round trip once per tenant; bounded, a miss only repeats that trip
  private final Set<TenantId> registered = ConcurrentHashMap.newKeySet();
  // why: the jobs of this process's open leases (tenant/id/token -> job as leased), so an ack
  // needn't read the job back from Redis to return it; bounded, and a miss only costs that read
  private final Map<String, Job> openLeases = new ConcurrentHashMap<>();
  private volatile boolean dataLost;

  public RedisQueueBackend(QueueHost host) {
    this.host = host;
    // why: FLOWSTORE_ENV separates deployments (dev, staging...) that share one Redis
    this.env = host.config().env();
    this.channel = "flowstore:" + env + ":work";
    this.markerKey = "flowstore:" + env + ":marker";
    try {
      this.uri = RedisURI.create(RedisSettings.of(host.config()).dsn());
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(ErrorCode.CONFIGURATION, "REDIS_DSN: " + e.getMessage());
    }
    uri.setTimeout(TIMEOUT);
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // why: fail fast with BACKEND_UNAVAILABLE instead of queueing commands while Redis is
            // away
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .build());
    RedisCalls c = null;
    StatefulRedisPubSubConnection<String, String> p = null;
    try {
      c = new RedisCalls(client, describe(), channel, this::now);
      p = c.call(client::connectPubSub);
      p.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
              wakeups.signal(message);
            }
          });
      p.sync().subscribe(channel);
      client.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> h, SocketAddress a) {
              // why: wake-ups published while we were away are lost: let every waiter poll once
              wakeups.signal("*");
            }
          });
      RedisCommands<String, String> r = c.commands();
      r.set(markerKey, UUID.randomUUID().toString(), SetArgs.Builder.nx());
      this.epoch = r.get(markerKey);
      this.redis = c;
      migrateLayout(r);
    } catch (RuntimeException e) {
      if (p != null) p.close();
      if (c != null) c.close();
      client.shutdown();
      throw e instanceof FlowstoreException
          ? e
          : RedisCalls.unavailable(describe(), "connecting", e);
    }
    this.pubsub = p;
    log.info("redis queue backend: {} (keys flowstore:{}:{{tenant}}:...)", describe(), env);
  }

  /**
   * Brings the keys of an older data layout up to {@link #LAYOUT}, once per Redis database (the key
   * {@code flowstore:<env>:layout} records it). Layout 1 kept a queue's succeeded jobs in a set
   * {@code <queue>:succeeded} forever; layout 2 indexes them by finish time in {@code #succeeded}
   * (for retention) and counts them per queue in {@code #succeeded_n}. Safe to run from several
   * processes at once (each id is popped from the old set by one script).
   */
  private void migrateLayout(RedisCommands<String, String> r) {
    String layoutKey = "flowstore:" + env + ":layout";
    if (LAYOUT.equals(r.get(layoutKey))) return;
    String prefix = "flowstore:" + env + ":{";
    ScanCursor cursor = ScanCursor.INITIAL;
    int moved = 0;
    do {
      KeyScanCursor<String> page =
          r.scan(cursor, ScanArgs.Builder.matches(prefix + "*}:*:succeeded").limit(1000));
      for (String key : page.getKeys()) {
        int close = key.indexOf("}:", prefix.length());
        if (close < 0 || !"set".equals(r.type(key))) continue;
        String queue = key.substring(close + 2, key.length() - ":succeeded".length());
        Keys k;
        try {
          k = new Keys(env, TenantId.of(key.substring(prefix.length(), close)));
        } catch (FlowstoreException e) {
          continue; // not one of ours
        }
        if (!key.equals(k.prefix() + queue + ":succeeded")) continue;
        long left;
        do {
          left = (Long) redis.eval(Scripts.MIGRATE_SUCCEEDED, k, queue, key).get(1);
        } while (left > 0);
        moved++;
      }
      cursor = page;
    } while (!cursor.isFinished());
    r.set(layoutKey, LAYOUT);
    if (moved > 0)
      log.info("redis queue backend: moved {} queue(s) to data layout {}", moved, LAYOUT);
  }

  String env() {
    return env;
  }

  DeadLetterStore deadLetterStore() {
    return host.deadLetters();
  }

  int maxPayloadBytes() {
    return host.config().maxPayloadBytes();
  }

  Wakeups wakeups() {
    return wakeups;
  }

  /** Now from the store's clock, to the microsecond. */
  Instant now() {
    return host.clock().instant().truncatedTo(ChronoUnit.MICROS);
  }

  Clock clock() {
    return host.clock();
  }

  /** The command connection: script calls and commands, their failures mapped. */
  RedisCalls redis() {
    return redis;
  }

  /** How many open leases {@link #rememberLease} keeps at most (it forgets all when full). */
  static final int LEASE_MEMORY = 4096;

  /** Jobs with a longer payload (JSON chars) are not remembered: memory stays a few MB at most. */
  static final int LEASE_MEMORY_PAYLOAD = 2048;

  /** How many tenants {@link #registerTenant} remembers at most (it forgets all when full). */
  static final int TENANT_MEMORY = 4096;

  /**
   * Runs an ack through the tenant's lane ({@link AckBatcher}), opening one when the tenant has
   * none or its lane just went idle.
   */
  void ack(Keys keys, AckBatcher.Ack ack) {
    while (true) {
      AckBatcher lane =
          ackBatchers.compute(
              keys.tenant(), (t, b) -> b == null || b.retired() ? new AckBatcher(this, keys) : b);
      if (lane.run(ack)) return;
    }
  }

  /** An idle lane leaves the map (only itself: a newer lane of the tenant stays). */
  void retire(AckBatcher lane) {
    ackBatchers.remove(lane.tenant(), lane);
  }

  /**
   * Puts the tenant on the SQL store's tenant list before its first job is stored in Redis, so the
   * sweeper ends its expired leases and finishes its DLQ transitions like any other tenant's
   * (docs/queue.md "Redis", "Tenants and the sweeper").
   *
   * @throws dev.flowstore.FlowstoreException BACKEND_UNAVAILABLE when the SQL store cannot be
   *     written: the enqueue fails then, with nothing stored
   */
  void registerTenant(TenantId tenant) {
    if (registered.contains(tenant)) return;
    host.deadLetters().registerTenant(tenant);
    if (registered.size() >= TENANT_MEMORY) registered.clear();
    registered.add(tenant);
  }

  /** Sizes of the per-tenant and per-queue maps (tests: they stay bounded). */
  Map<String, Integer> memory() {
    return Map.of(
        "ack_lanes", ackBatchers.size(),
        "registered_tenants", registered.size(),
        "open_leases", openLeases.size(),
        "wakeup_keys", wakeups.size());
  }

  void rememberLease(Job job, int payloadChars) {
    if (payloadChars > LEASE_MEMORY_PAYLOAD) return;
    if (openLeases.size() >= LEASE_MEMORY) openLeases.clear();
    openLeases.put(leaseKey(job.tenantId(), job.jobId(), job.leaseToken()), job);
  }

  /** The job as this process leased it with {@code token}, if remembered; forgets it. */
  Job forgetLease(TenantId tenant, UUID jobId, long token) {
    return openLeases.remove(leaseKey(tenant, jobId, token));
  }

  private static String leaseKey(TenantId tenant, UUID jobId, long token) {
    return tenant.value() + "/" + jobId + "/" + token;
  }

  @Override
  public Queue queue(TenantId tenant) {
    return new RedisQueue(this, new Keys(env, tenant));
  }

  @Override
  public Queue inTransaction(TenantId tenant, Consumer<Runnable> afterCommit) {
    return new AfterCommitQueue((RedisQueue) queue(tenant), afterCommit);
  }

  @Override
  public void checkReady() {
    String marker = redis.call(() -> redis.commands().get(markerKey));
    if (epoch.equals(marker)) {
      dataLost = false;
      return;
    }
    if (!dataLost) {
      dataLost = true;
      dataLossDetected.incrementAndGet();
      log.error(
          "redis queue backend {}: the marker key {} is {} (expected {}): Redis lost flowstore's"
              + " queue data (restart without persistence, FLUSHDB, failover to an empty replica)."
              + " Queued and leased jobs there are gone. Re-publish them from the SQL state / outbox"
              + " (docs/operations.md), then run: SET {} {}",
          describe(),
          markerKey,
          marker == null ? "missing" : "'" + marker + "'",
          epoch,
          markerKey,
          epoch);
    }
    throw new FlowstoreException(
        ErrorCode.BACKEND_UNAVAILABLE,
        "redis queue backend "
            + describe()
            + " lost its data (marker "
            + markerKey
            + " "
            + (marker == null ? "missing" : "changed")
            + "); see docs/operations.md to recover, then SET "
            + markerKey
            + " "
            + epoch);
  }

  /** How many times {@link #checkReady()} found the data lost (a health metric). */
  public long dataLossDetected() {
    return dataLossDetected.get();
  }

  @Override
  public List<MetricCounter> metrics() {
    return List.of(
        new MetricCounter(
            "flowstore.redis.queue.data.loss.detections",
            "Times the Redis queue backend found its marker key missing or changed (Redis lost its data)",
            this::dataLossDetected));
  }

  @Override
  public dev.flowstore.spi.QueueContents contents() {
    return new RedisQueueContents(this, env);
  }

  private RedisQueueCapture capture;

  @Override
  public synchronized dev.flowstore.spi.QueueChanges changes() {
    if (capture == null) capture = new RedisQueueCapture(this, env);
    return capture;
  }

  @Override
  public String describe() {
    return "redis://"
        + uri.getHost()
        + ":"
        + uri.getPort()
        + "/"
        + uri.getDatabase()
        + " env "
        + env;
  }

  @Override
  public void close() {
    wakeups.close();
    try {
      pubsub.close();
      redis.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
