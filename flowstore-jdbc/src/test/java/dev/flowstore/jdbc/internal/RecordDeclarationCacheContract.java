package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.testkit.FlowstoreTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each store caches the collection declarations it read, and checks the cached one against the
 * stored version in the same transaction as every use: a second store on the same database (another
 * server) that declares a collection again is seen by the first at its next call, whatever that
 * call is (get, query, count, create, change). {@code fs} is the server that reads and writes
 * records; {@code other} declares.
 */
abstract class RecordDeclarationCacheContract extends FlowstoreTestBase {
  private Flowstore other;

  @BeforeAll
  void openOther() {
    other = Flowstore.open(fs.config());
  }

  @AfterAll
  void closeOther() {
    if (other != null) other.close();
  }

  private static ObjectNode data(String text) {
    return Json.parseObject("data", text.replace('\'', '"'));
  }

  @Test
  void aRedeclarationByAnotherStoreIsSeenAtTheNextCall() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    other.collections().declare(CollectionSpec.of("cached").withIndexed(IndexedField.string("/a")));
    records.create("cached", NewRecord.of("r1", data("{'a':'x','b':1}")));
    RecordQuery byA = RecordQuery.of("cached").where(RecordFilter.eq("/a", "x"));
    assertThat(records.query(byA).records()).hasSize(1); // caches the declaration
    RecordQuery byB = RecordQuery.of("cached").where(RecordFilter.eq("/b", 1));
    assertThatThrownBy(() -> records.query(byB))
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);

    // another server indexes /b (and builds it): this store's cached declaration says /b is not
    // indexed, the stored one says it is
    other
        .collections()
        .declare(
            CollectionSpec.of("cached")
                .withIndexed(IndexedField.string("/a"), IndexedField.number("/b")));
    assertThat(records.query(byB).records()).extracting(r -> r.id()).containsExactly("r1");
    assertThat(records.count(byB)).isEqualTo(1);

    // ... and drops /a: a query on it is refused, though the cached declaration allowed it
    other.collections().declare(CollectionSpec.of("cached").withIndexed(IndexedField.number("/b")));
    assertThatThrownBy(() -> records.query(byA))
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> records.count(byA))
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);

    // ... and retypes /b: a write is checked against the stored declaration
    other.collections().declare(CollectionSpec.of("cached").withIndexed(IndexedField.string("/b")));
    assertThatThrownBy(() -> records.create("cached", NewRecord.of("r2", data("{'b':2}"))))
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> records.replace("cached", "r1", 0, data("{'b':3}")))
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    records.create("cached", NewRecord.of("r2", data("{'b':'two'}")));
    assertThat(
            records.query(RecordQuery.of("cached").where(RecordFilter.eq("/b", "two"))).records())
        .extracting(r -> r.id())
        .containsExactly("r2");
  }

  @Test
  void aLookupByUniqueValueFollowsTheStoredDeclaration() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    // the cache's probe of a hit by value (RecordVersions.holder) goes the same way
    JdbcRecords probe = new JdbcRecords(new AutonomousScope((JdbcFlowstore) fs, t));
    JsonNode a = Json.parse("ref", "\"A\"");
    other
        .collections()
        .declare(CollectionSpec.of("byref").withIndexed(IndexedField.string("/ref")));
    records.create("byref", NewRecord.of("r1", data("{'ref':'A'}")));
    // caches a declaration in which /ref is not unique
    refused(() -> records.getByUnique("byref", "/ref", "A"), ErrorCode.INVALID_ARGUMENT);

    other
        .collections()
        .declare(
            CollectionSpec.of("byref").withIndexed(IndexedField.string("/ref")).withUnique("/ref"));
    assertThat(records.getByUnique("byref", "/ref", "A"))
        .get()
        .extracting(r -> r.id())
        .isEqualTo("r1");
    assertThat(records.getByUnique("byref", "/ref", "B")).isEmpty();
    assertThat(probe.holder("byref", "/ref", a)).get().extracting(h -> h.id()).isEqualTo("r1");

    // the cached declaration now says unique, the stored one no longer does
    other
        .collections()
        .declare(CollectionSpec.of("byref").withIndexed(IndexedField.string("/ref")));
    refused(() -> records.getByUnique("byref", "/ref", "A"), ErrorCode.INVALID_ARGUMENT);
    refused(() -> probe.holder("byref", "/ref", a), ErrorCode.INVALID_ARGUMENT);
    refused(() -> records.getByUnique("never_declared", "/ref", "A"), ErrorCode.NOT_FOUND);
  }

  private static void refused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(FlowstoreException.class)
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(code);
  }

  @Test
  void getTellsAnUndeclaredCollectionFromAMissingRecord() {
    TenantId t = newTenant();
    Records records = fs.records(t);
    assertThatThrownBy(() -> records.get("never_declared", "r1"))
        .isInstanceOf(FlowstoreException.class)
        .hasMessageContaining("is not declared")
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    other.collections().declare(CollectionSpec.of("late"));
    assertThat(records.get("late", "r1")).isEmpty();
    records.create("late", NewRecord.of("r1", data("{'x':1}")));
    assertThat(records.get("late", "r1")).get().extracting(r -> r.version()).isEqualTo(0L);
    assertThat(new JdbcRecords(new AutonomousScope((JdbcFlowstore) fs, t)).current("late", "r2"))
        .isEmpty();
  }
}
