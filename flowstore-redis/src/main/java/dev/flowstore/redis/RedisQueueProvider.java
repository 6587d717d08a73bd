package dev.flowstore.redis;

import dev.flowstore.redis.internal.RedisQueueBackend;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueHost;
import dev.flowstore.spi.QueueProvider;

/**
 * The Redis queue backend, selected with {@code FLOWSTORE_QUEUE_BACKEND=redis} and {@code
 * REDIS_DSN}. Jobs live in Redis under {@code flowstore:<env>:{<tenant>}:...} (the tenant is a
 * Redis Cluster hash tag); DLQ items and their audit entries are written to the SQL store, the
 * truth. See docs/queue.md "Redis" and docs/operations.md.
 */
public final class RedisQueueProvider implements QueueProvider {
  @Override
  public String name() {
    return "redis";
  }

  @Override
  public QueueBackend open(QueueHost host) {
    return new RedisQueueBackend(host);
  }
}
