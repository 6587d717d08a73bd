package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Key names: the tenant is a real Redis Cluster hash tag, and tenants never share a key. */
class RedisKeysTest extends FlowstoreTestBase {
  private static final int DB = 13;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }

  private static NewJob job(String queue) {
    return NewJob.of(queue, "work", JsonNodeFactory.instance.objectNode().put("n", 1));
  }

  @Test
  void everyKeyOfATenantCarriesItsHashTagAndMapsToOneSlot() {
    TenantId tenant = newTenant();
    Queue q = fs.queue(tenant);
    q.enqueue(job("emails").withUniqueKey("u1"));
    q.enqueue(job("emails").withRunAt(java.time.Instant.now().plusSeconds(3600)));
    q.enqueue(job("sms"));
    Lease l = q.lease("emails", 1, Duration.ofSeconds(30)).get(0);
    q.ack(l.jobId(), l.token());
    q.lease("sms", 1, Duration.ofSeconds(30));
    q.enqueue(job("emails").withUniqueKey("u2"));

    List<String> keys = RedisTestKeys.scan(DB, "flowstore:*{" + tenant.value() + "}*");
    assertThat(keys).hasSizeGreaterThan(8);
    String prefix = "flowstore:" + "default" + ":{" + tenant.value() + "}:";
    int slot = SlotHash.getSlot(prefix);
    for (String k : keys) {
      assertThat(k).startsWith(prefix);
      // the first {...} of the key is the tenant: the Redis Cluster hash tag
      assertThat(k.substring(k.indexOf('{') + 1, k.indexOf('}'))).isEqualTo(tenant.value());
      assertThat(SlotHash.getSlot(k)).as(k).isEqualTo(slot);
    }
    assertThat(keys)
        .contains(prefix + "emails:ready", prefix + "emails:delayed", prefix + "sms:leased")
        .contains(prefix + "emails:uniq", prefix + "#seq", prefix + "#queues")
        .contains(prefix + "#succeeded", prefix + "#succeeded_n", prefix + "#job:" + l.jobId());
  }

  @Test
  void tenantsShareNoKeyAndSeeNothingOfEachOther() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    Lease la = null;
    fs.queue(a).enqueue(job("same").withUniqueKey("k"));
    // the same unique key in another tenant is another job
    assertThat(fs.queue(b).enqueue(job("same").withUniqueKey("k")).duplicate()).isFalse();
    la = fs.queue(a).lease("same", 10, Duration.ofSeconds(30)).get(0);
    assertThat(fs.queue(b).get(la.jobId())).isEmpty();
    assertThat(fs.queue(b).lease("same", 10, Duration.ofSeconds(30))).hasSize(1);
    assertThat(fs.queue(b).stats())
        .singleElement()
        .satisfies(s -> assertThat(s.leased()).isEqualTo(1));
    List<String> keysA = RedisTestKeys.scan(DB, "flowstore:*{" + a.value() + "}*");
    List<String> keysB = RedisTestKeys.scan(DB, "flowstore:*{" + b.value() + "}*");
    assertThat(keysA).isNotEmpty().doesNotContainAnyElementsOf(keysB);
    assertThat(keysB).allMatch(k -> !k.contains(a.value()));
  }
}
