package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Faults;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis cache of records (SQLite store, Redis database 2): hits and misses, invalidation after
 * the commit of every write, nothing on rollback, and failures of the cache that must not fail a
 * write nor let a stale record be read. Counters: {@code flowstore.cache.records.*}.
 */
class RedisRecordCacheTest extends RedisCacheTestBase {
  private String agents;

  @Override
  int db() {
    return 2;
  }

  @BeforeAll
  void declareAgents() {
    agents = "agents_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    fs.collections()
        .declare(
            CollectionSpec.of(agents)
                .withIndexed(IndexedField.string("/username"))
                .withUnique("/username"));
  }

  private static ObjectNode agent(String username, String note) {
    return JsonNodeFactory.instance.objectNode().put("username", username).put("note", note);
  }

  private StoredRecord created(Records records) {
    String id = "A-" + UUID.randomUUID();
    return records.create(agents, NewRecord.of(id, agent("u" + UUID.randomUUID(), "v0")));
  }

  /** A new tenant's record, read once so that it is cached. */
  private record Cached(TenantId t, Records records, StoredRecord r) {}

  private Cached cached() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = created(records);
    records.get(agents, r.id());
    return new Cached(t, records, r);
  }

  private long count(String what) {
    return probe.count("flowstore.cache.records." + what);
  }

  @Test
  void aFirstReadMissesAndStoresTheRecordAndTheNextOneHits() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = created(records);
    assertThat(probe.record(t, agents, r.id())).as("a write does not populate").isNull();
    long hits = count("hits");
    long misses = count("misses");
    long sessionHits = probe.count("flowstore.cache.hits");
    assertThat(records.get(agents, r.id())).contains(r);
    assertThat(count("misses")).isEqualTo(misses + 1);
    assertThat(probe.record(t, agents, r.id())).contains(r.id());
    assertThat(probe.recordTtlMillis(t, agents, r.id())).isBetween(1L, 5 * 60 * 1000L);
    assertThat(records.get(agents, r.id())).contains(r);
    assertThat(count("hits")).isEqualTo(hits + 1);
    assertThat(probe.count("flowstore.cache.hits"))
        .as("sessions count apart")
        .isEqualTo(sessionHits);
    assertThat(records.get(agents, "nobody")).isEmpty();
  }

  @Test
  void everyWriteDeletesTheEntryAfterItsCommitAndTheNextReadSeesIt() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = created(records);
    String id = r.id();
    records.get(agents, id);
    StoredRecord r1 = records.replace(agents, id, 0, agent("x" + id, "replaced"));
    assertThat(probe.record(t, agents, id)).as("replace").isNull();
    assertThat(records.get(agents, id)).contains(r1);
    StoredRecord r2 =
        records.patch(agents, id, 1, JsonNodeFactory.instance.objectNode().put("note", "p"));
    assertThat(probe.record(t, agents, id)).as("patch").isNull();
    assertThat(records.get(agents, id)).contains(r2);
    StoredRecord r3 = records.archive(agents, id, 2);
    assertThat(probe.record(t, agents, id)).as("archive").isNull();
    assertThat(records.get(agents, id)).contains(r3);
    StoredRecord r4 = records.unarchive(agents, id, 3);
    assertThat(probe.record(t, agents, id)).as("unarchive").isNull();
    assertThat(records.get(agents, id)).contains(r4);
    records.delete(agents, id, 4);
    assertThat(probe.record(t, agents, id)).as("delete").isNull();
    assertThat(records.get(agents, id)).isEmpty();
    StoredRecord again = records.create(agents, NewRecord.of(id, agent("y" + id, "again")));
    assertThat(again.version()).isEqualTo(6);
    assertThat(records.get(agents, id)).contains(again);
    assertThat(records.get(agents, id)).contains(again);
  }

  @Test
  void aDeletedRecordsOldEntryIsNeverServedNorIsItsOlderSelfAfterARecreate() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    String v0 = probe.record(t, agents, r.id());
    records.delete(agents, r.id(), 0);
    probe.putRecord(t, agents, r.id(), v0);
    assertThat(records.get(agents, r.id())).as("deleted").isEmpty();
    StoredRecord again = records.create(agents, NewRecord.of(r.id(), agent("z" + r.id(), "z")));
    probe.putRecord(t, agents, r.id(), v0);
    assertThat(records.get(agents, r.id())).contains(again);
  }

  @Test
  void aWriteInACallersTransactionInvalidatesOnlyOnceItCommits() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    fs.inTransaction(
        t,
        tx -> {
          tx.records().patch(agents, r.id(), 0, agent("in" + r.id(), "inside"));
          assertThat(probe.record(t, agents, r.id())).as("not committed yet").isNotNull();
          assertThat(tx.records().get(agents, r.id()).orElseThrow().data().get("note").asText())
              .as("the transaction sees its own write, not the cache")
              .isEqualTo("inside");
          return null;
        });
    assertThat(probe.record(t, agents, r.id())).isNull();
    assertThat(records.get(agents, r.id()).orElseThrow().data().get("note").asText())
        .isEqualTo("inside");
    String committed = probe.record(t, agents, r.id());
    assertThat(committed).isNotNull();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.records().patch(agents, r.id(), 1, agent("rb" + r.id(), "rolled-back"));
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(probe.record(t, agents, r.id()))
        .as("a rollback leaves the entry")
        .isEqualTo(committed);
    assertThat(records.get(agents, r.id()).orElseThrow().data().get("note").asText())
        .isEqualTo("inside");
  }

  @Test
  void aFailedWriteLeavesTheEntry() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    String entry = probe.record(t, agents, r.id());
    assertThatThrownBy(() -> records.patch(agents, r.id(), 7, agent("c" + r.id(), "conflict")))
        .hasMessageContaining("version");
    assertThat(probe.record(t, agents, r.id())).isEqualTo(entry);
  }

  @Test
  void anInvalidationThatFailsTwiceIsCountedNeverFailsTheWriteAndNoStaleRecordIsRead() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    String old = probe.record(t, agents, r.id());
    long failures = count("invalidation.failures");
    long stale = count("stale");
    Faults.arm(Faults.Point.CACHE_INVALIDATE, 2);
    StoredRecord r1 = records.replace(agents, r.id(), 0, agent("n" + r.id(), "after"));
    assertThat(count("invalidation.failures")).isEqualTo(failures + 1);
    assertThat(probe.record(t, agents, r.id())).as("the stale entry is still there").isEqualTo(old);
    assertThat(records.get(agents, r.id())).contains(r1);
    assertThat(count("stale")).isEqualTo(stale + 1);
    assertThat(probe.record(t, agents, r.id())).as("reloaded").isNotEqualTo(old);
    assertThat(records.get(agents, r.id())).contains(r1);
  }

  @Test
  void anInvalidationThatFailsOnceIsRetriedAndNotCounted() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    long failures = count("invalidation.failures");
    Faults.arm(Faults.Point.CACHE_INVALIDATE, 1);
    records.replace(agents, r.id(), 0, agent("o" + r.id(), "after"));
    assertThat(probe.record(t, agents, r.id())).isNull();
    assertThat(count("invalidation.failures")).isEqualTo(failures);
  }

  @Test
  void aCacheWriteThatFailsTwiceIsCountedAndTheReadIsServedFromSql() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = created(records);
    long failures = count("write.failures");
    Faults.arm(Faults.Point.CACHE_WRITE, 2);
    assertThat(records.get(agents, r.id())).contains(r);
    assertThat(count("write.failures")).isEqualTo(failures + 1);
    assertThat(probe.record(t, agents, r.id())).isNull();
  }

  @Test
  void anOldEntryStoredAfterAWritesInvalidationIsNeverServed() {
    Cached c = cached();
    TenantId t = c.t();
    Records records = c.records();
    StoredRecord r = c.r();
    String v0 = probe.record(t, agents, r.id());
    StoredRecord r1 = records.replace(agents, r.id(), 0, agent("p" + r.id(), "after"));
    probe.putRecord(t, agents, r.id(), v0);
    assertThat(records.get(agents, r.id())).contains(r1);
  }

  @Test
  void aCorruptOrForeignEntryIsAMissNotAnError() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = created(records);
    StoredRecord other = created(records);
    probe.putRecord(t, agents, r.id(), "{not json");
    assertThat(records.get(agents, r.id())).contains(r);
    assertThat(records.get(agents, r.id())).contains(r);
    records.get(agents, other.id());
    // another record's entry at the same version under this key
    probe.putRecord(t, agents, r.id(), probe.record(t, agents, other.id()));
    assertThat(records.get(agents, r.id())).contains(r);
  }

  @Test
  void entriesAreScopedToTheirTenant() {
    TenantId a = newTenant();
    StoredRecord r = created(fs.records(a));
    fs.records(a).get(agents, r.id());
    TenantId b = newTenant();
    assertThat(fs.records(b).get(agents, r.id())).isEmpty();
    probe.putRecord(b, agents, r.id(), probe.record(a, agents, r.id()));
    assertThat(fs.records(b).get(agents, r.id()))
        .as("an entry under b's key is still checked against b's rows")
        .isEmpty();
  }

  @Test
  void badAddressesGetTheStoresErrorsThroughTheCache() {
    Records records = fs.records(newTenant());
    assertThatThrownBy(() -> records.get("Bad-Name", "x")).hasMessageContaining("collection");
    assertThatThrownBy(() -> records.get(agents, " x")).hasMessageContaining("id");
    assertThatThrownBy(
            () -> records.get("undeclared_" + UUID.randomUUID().toString().substring(0, 4), "x"))
        .hasMessageContaining("undeclared_");
  }

  @Test
  void aLookupByUniqueValueMissesThenHitsAndAWriteDropsIt() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    StoredRecord r = records.create(agents, NewRecord.of("alice-1", agent("alice", "v0")));
    long hits = count("hits");
    long misses = count("misses");
    assertThat(records.getByUnique(agents, "/username", "alice")).contains(r);
    assertThat(count("misses")).isEqualTo(misses + 1);
    assertThat(probe.byUnique(t, agents, "/username", "alice")).contains("alice-1");
    assertThat(records.getByUnique(agents, "/username", "alice")).contains(r);
    assertThat(count("hits")).isEqualTo(hits + 1);
    StoredRecord r1 =
        records.patch(agents, "alice-1", 0, JsonNodeFactory.instance.objectNode().put("note", "x"));
    assertThat(probe.byUnique(t, agents, "/username", "alice")).as("dropped after commit").isNull();
    assertThat(records.getByUnique(agents, "/username", "alice")).contains(r1);
    assertThat(records.getByUnique(agents, "/username", "nobody")).isEmpty();
  }

  @Test
  void aUniqueValueThatMovedToAnotherRecordIsNeverServedFromTheOldEntry() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    records.create(agents, NewRecord.of("a", agent("carol", "first")));
    records.getByUnique(agents, "/username", "carol");
    String old = probe.byUnique(t, agents, "/username", "carol");
    assertThat(old).isNotNull();
    long stale = count("stale");
    // every invalidation of the rename fails twice: the old entry stays
    Faults.arm(Faults.Point.CACHE_INVALIDATE, 4);
    StoredRecord renamed = records.replace(agents, "a", 0, agent("carol2", "renamed"));
    Faults.clear();
    assertThat(probe.byUnique(t, agents, "/username", "carol")).isEqualTo(old);
    assertThat(records.getByUnique(agents, "/username", "carol")).isEmpty();
    assertThat(count("stale")).isEqualTo(stale + 1);
    assertThat(records.getByUnique(agents, "/username", "carol2")).contains(renamed);
    StoredRecord b = records.create(agents, NewRecord.of("b", agent("carol", "second")));
    probe.putByUnique(t, agents, "/username", "carol", old);
    assertThat(records.getByUnique(agents, "/username", "carol"))
        .as("another record holds the value now")
        .contains(b);
    assertThat(records.getByUnique(agents, "/username", "carol")).contains(b);
    // the rename's invalidation drops both the old and the new value's entries
    records.replace(agents, "b", 0, agent("dave", "third"));
    assertThat(probe.byUnique(t, agents, "/username", "carol")).isNull();
    assertThat(records.getByUnique(agents, "/username", "carol")).isEmpty();
  }

  @Test
  void aCorruptEntryByUniqueValueIsAMissAndLookupsAreScopedToTheirTenant() {
    TenantId a = newTenant();
    StoredRecord r = fs.records(a).create(agents, NewRecord.of("e", agent("erin", "x")));
    probe.putByUnique(a, agents, "/username", "erin", "{not json");
    assertThat(fs.records(a).getByUnique(agents, "/username", "erin")).contains(r);
    TenantId b = newTenant();
    probe.putByUnique(
        b, agents, "/username", "erin", probe.byUnique(a, agents, "/username", "erin"));
    assertThat(fs.records(b).getByUnique(agents, "/username", "erin")).isEmpty();
  }
}
