package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordRetention;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The records contract: collections declared once for every tenant; records with optimistic
 * concurrency, schema and unique fields, every change an event of the record's stream (history,
 * as-of), queries served by the index entries, tenant isolation, one transaction with the rest.
 */
public abstract class RecordsContract extends FlowstoreTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  protected static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** The tenant's records: each call its own transaction, or (a subclass) the caller's. */
  protected Records records(TenantId tenant) {
    return fs.records(tenant);
  }

  /** A collection name no other test uses (declarations are global). */
  protected static String name(String base) {
    return base + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  private static final ObjectNode TICKET_SCHEMA =
      json(
          "{'type': 'object', 'required': ['title', 'status'], 'properties': {"
              + "'title': {'type': 'string', 'minLength': 1},"
              + "'status': {'enum': ['open', 'pending', 'closed']},"
              + "'priority': {'type': 'integer', 'minimum': 1, 'maximum': 5}}}");

  /** Tickets: schema, status/priority/due/urgent indexed, a unique external reference. */
  protected Collection tickets() {
    return fs.collections()
        .declare(
            CollectionSpec.of(name("tickets"))
                .withSchema(TICKET_SCHEMA)
                .withIndexed(
                    IndexedField.string("/status"),
                    IndexedField.number("/priority"),
                    IndexedField.timestamp("/due"),
                    IndexedField.bool("/urgent"),
                    IndexedField.string("/ref"))
                .withUnique("/ref"));
  }

  private static ObjectNode ticket(String title, String status, int priority) {
    return json(
        "{'title': '" + title + "', 'status': '" + status + "', 'priority': " + priority + "}");
  }

  @Test
  void aRecordLivesThroughCreateReplacePatchArchiveAndDelete() {
    String c = tickets().name();
    Records records = records(newTenant());
    StoredRecord r = records.create(c, NewRecord.of("TKT-2025-0001", ticket("Printer", "open", 3)));
    assertThat(r.version()).isZero();
    assertThat(r.archived()).isFalse();
    assertThat(records.get(c, "TKT-2025-0001")).get().isEqualTo(r);

    clock.advance(Duration.ofSeconds(1));
    StoredRecord replaced = records.replace(c, r.id(), 0, ticket("Printer jam", "pending", 2));
    assertThat(replaced.version()).isEqualTo(1);
    assertThat(replaced.updatedAt()).isAfter(r.updatedAt());
    assertThat(replaced.createdAt()).isEqualTo(r.createdAt());

    StoredRecord patched =
        records.patch(c, r.id(), 1, json("{'status': 'closed', 'priority': null, 'note': 'x'}"));
    assertThat(patched.data())
        .isEqualTo(json("{'title': 'Printer jam', 'status': 'closed', 'note': 'x'}"));
    assertThat(patched.version()).isEqualTo(2);

    StoredRecord archived = records.archive(c, r.id(), 2);
    assertThat(archived.archived()).isTrue();
    assertCode(() -> records.archive(c, r.id(), 3), ErrorCode.UNPROCESSABLE);
    StoredRecord back = records.unarchive(c, r.id(), 3);
    assertThat(back.archived()).isFalse();
    assertThat(records.get(c, r.id())).get().isEqualTo(back);

    records.delete(c, r.id(), 4);
    assertThat(records.get(c, r.id())).isEmpty();
    assertThat(records.history(c, r.id(), 0, 100))
        .extracting(RecordedEvent::type)
        .containsExactly(
            "record.created",
            "record.replaced",
            "record.patched",
            "record.archived",
            "record.unarchived",
            "record.deleted");
    assertThat(records.history(c, r.id(), 0, 100))
        .allSatisfy(e -> assertThat(e.stream()).isEqualTo(Records.streamOf(c, r.id())));
  }

  @Test
  void aFeedWaiterWakesWhenARecordIsCreatedOrChanged() throws Exception {
    String c = tickets().name();
    TenantId tenant = newTenant();
    Records records = records(tenant);
    records.create(c, NewRecord.of("TKT-W-1", ticket("Printer", "open", 3))); // position 1
    for (int step = 0; step < 2; step++) {
      long after = step + 1;
      CompletableFuture<List<RecordedEvent>> waiting =
          EventStoreContract.waitInBackground(
              fs.events(tenant), after, null, EventStoreContract.LONG_WAIT);
      EventStoreContract.awaitSleepers(fs, 1);
      if (step == 0) records.create(c, NewRecord.of("TKT-W-2", ticket("Fax", "open", 1)));
      else records.patch(c, "TKT-W-1", 0, json("{'status': 'closed'}"));
      assertThat(waiting.get(EventStoreContract.PROMPTLY.toSeconds(), TimeUnit.SECONDS))
          .extracting(RecordedEvent::type)
          .containsExactly(step == 0 ? "record.created" : "record.patched");
    }
  }

  @Test
  void aStaleVersionIsAConflictAndWritesNothing() {
    String c = tickets().name();
    Records records = records(newTenant());
    StoredRecord r = records.create(c, NewRecord.of("T1", ticket("a", "open", 1)));
    records.patch(c, "T1", 0, json("{'status': 'pending'}"));
    assertCode(
        () -> records.replace(c, "T1", 0, ticket("b", "open", 1)), ErrorCode.VERSION_CONFLICT);
    assertCode(() -> records.patch(c, "T1", 0, json("{'title': 'c'}")), ErrorCode.VERSION_CONFLICT);
    assertCode(() -> records.archive(c, "T1", 5), ErrorCode.VERSION_CONFLICT);
    assertCode(() -> records.delete(c, "T1", 0), ErrorCode.VERSION_CONFLICT);
    StoredRecord now = records.get(c, "T1").orElseThrow();
    assertThat(now.version()).isEqualTo(1);
    assertThat(now.data().get("title").asText()).isEqualTo(r.data().get("title").asText());
    assertThat(records.history(c, "T1", 0, 100)).hasSize(2);
    assertCode(() -> records.patch(c, "nope", 0, json("{}")), ErrorCode.NOT_FOUND);
  }

  @Test
  void twoConcurrentChangesAtOneVersionOneWins() throws Exception {
    String c = tickets().name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("T1", ticket("a", "open", 1)));
    var outcomes =
        Concurrently.race(6, i -> records.patch(c, "T1", 0, json("{'title': 'by " + i + "'}")));
    assertThat(outcomes.stream().filter(Concurrently.Outcome::ok)).hasSize(1);
    assertThat(outcomes.stream().filter(o -> !o.ok()).map(Concurrently.Outcome::code))
        .containsOnly("VERSION_CONFLICT");
    assertThat(records.get(c, "T1").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void anExistingIdIsRefusedAndAMissingIdIsGenerated() {
    String c = tickets().name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("T1", ticket("a", "open", 1)));
    assertCode(
        () -> records.create(c, NewRecord.of("T1", ticket("b", "open", 1))),
        ErrorCode.ALREADY_EXISTS);
    assertThat(records.get(c, "T1").orElseThrow().data().get("title").asText()).isEqualTo("a");
    StoredRecord generated = records.create(c, new NewRecord(null, ticket("c", "open", 1), null));
    assertThat(UUID.fromString(generated.id())).isNotNull();
  }

  @Test
  void schemaViolationsNameTheFieldAndWriteNothing() {
    String c = tickets().name();
    Records records = records(newTenant());
    assertThatThrownBy(
            () -> records.create(c, NewRecord.of("T1", json("{'title': 'a', 'status': 'lost'}"))))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("/status");
            });
    assertThatThrownBy(() -> records.create(c, NewRecord.of("T1", json("{'status': 'open'}"))))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("/title");
            });
    assertThat(records.get(c, "T1")).isEmpty();
    assertCode(() -> records.history(c, "T1", 0, 10), ErrorCode.NOT_FOUND);

    records.create(c, NewRecord.of("T1", ticket("a", "open", 2)));
    assertThatThrownBy(() -> records.patch(c, "T1", 0, json("{'priority': 9}")))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("/priority");
            });
    assertThat(records.get(c, "T1").orElseThrow().version()).isZero();
  }

  @Test
  void anIndexedFieldOfTheWrongTypeIsRefusedByName() {
    String c =
        fs.collections()
            .declare(CollectionSpec.of(name("notes")).withIndexed(IndexedField.number("/n")))
            .name();
    Records records = records(newTenant());
    assertThatThrownBy(() -> records.create(c, NewRecord.of("a", json("{'n': 'ten'}"))))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("/n").contains("number");
            });
    assertThat(records.get(c, "a")).isEmpty();
  }

  @Test
  void badInputGetsItsCode() {
    String c = tickets().name();
    Records records = records(newTenant());
    assertCode(() -> records.get("Bad-Name", "x"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.get(name("undeclared"), "x"), ErrorCode.NOT_FOUND);
    assertCode(() -> records.get(c, "bad id"), ErrorCode.INVALID_ID);
    assertCode(
        () -> records.create(c, NewRecord.of("-x", ticket("a", "open", 1))), ErrorCode.INVALID_ID);
    assertCode(() -> records.create(c, NewRecord.of("x", null)), ErrorCode.INVALID_JSON);
    assertCode(
        () -> records.create(c, NewRecord.of("x", json("{'title': 'a\\u0000', 'status': 'open'}"))),
        ErrorCode.INVALID_JSON);
    assertCode(
        () -> records.query(RecordQuery.of(c).where(RecordFilter.eq("/title", "a"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> records.query(RecordQuery.of(c).where(RecordFilter.eq("/priority", "high"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> records.query(RecordQuery.of(c).where(RecordFilter.prefix("/priority", "1"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.query(RecordQuery.of(c).limit(0)), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.query(RecordQuery.of(c).offset(-1)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> records.query(RecordQuery.of(c).offset(2).after("abc")), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> records.query(RecordQuery.of(c).after("not-a-cursor")), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.getAsOf(c, "x", -1), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.collections().declare(CollectionSpec.of("Bad")), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            fs.collections()
                .declare(CollectionSpec.of(name("x")).withIndexed(IndexedField.string("status"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.collections().declare(CollectionSpec.of(name("x")).withUnique("/u")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            fs.collections().declare(CollectionSpec.of(name("x")).withSchema(json("{'type': 12}"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.collections().declare(CollectionSpec.of(name("x")).withParent(name("nope"))),
        ErrorCode.NOT_FOUND);
  }

  @Test
  void aUniqueValueIsHeldByOneRecordPerTenant() {
    String c = tickets().name();
    TenantId a = newTenant();
    Records records = records(a);
    records.create(c, NewRecord.of("T1", ticket("a", "open", 1).put("ref", "EXT-1")));
    assertThatThrownBy(
            () -> records.create(c, NewRecord.of("T2", ticket("b", "open", 1).put("ref", "EXT-1"))))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
              assertThat(e.getMessage()).contains("/ref");
            });
    assertThat(records.get(c, "T2")).isEmpty();
    // a changed value frees the old one; null values are not unique
    records.patch(c, "T1", 0, json("{'ref': 'EXT-2'}"));
    records.create(c, NewRecord.of("T2", ticket("b", "open", 1).put("ref", "EXT-1")));
    records.create(c, NewRecord.of("T3", ticket("c", "open", 1)));
    records.create(c, NewRecord.of("T4", ticket("d", "open", 1)));
    assertCode(() -> records.patch(c, "T3", 0, json("{'ref': 'EXT-2'}")), ErrorCode.ALREADY_EXISTS);
    // deleting frees it too; another tenant has values of its own
    records.delete(c, "T1", 1);
    records.patch(c, "T3", 0, json("{'ref': 'EXT-2'}"));
    records(newTenant()).create(c, NewRecord.of("X", ticket("x", "open", 1).put("ref", "EXT-1")));
  }

  @Test
  void aRecordIsFoundByItsUniqueValueWhereverTheValueMoves() {
    String c = tickets().name();
    TenantId a = newTenant();
    Records records = records(a);
    StoredRecord t1 =
        records.create(c, NewRecord.of("T1", ticket("a", "open", 1).put("ref", "EXT-1")));
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).contains(t1);
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).contains(t1);
    assertThat(records.getByUnique(c, "/ref", "EXT-9")).isEmpty();
    assertThat(records(newTenant()).getByUnique(c, "/ref", "EXT-1")).as("per tenant").isEmpty();
    // archived records are found, as by get
    StoredRecord archived = records.archive(c, "T1", 0);
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).contains(archived);
    // the value moves to another record: the old holder is no longer found by it
    StoredRecord moved = records.patch(c, "T1", 1, json("{'ref': 'EXT-2'}"));
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).isEmpty();
    assertThat(records.getByUnique(c, "/ref", "EXT-2")).contains(moved);
    StoredRecord t2 =
        records.create(c, NewRecord.of("T2", ticket("b", "open", 1).put("ref", "EXT-1")));
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).contains(t2);
    StoredRecord t2b = records.replace(c, "T2", 0, ticket("b2", "pending", 2).put("ref", "EXT-1"));
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).contains(t2b);
    records.delete(c, "T2", 1);
    assertThat(records.getByUnique(c, "/ref", "EXT-1")).isEmpty();
    // only unique fields, values of the field's type
    assertCode(() -> records.getByUnique(c, "/status", "open"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.getByUnique(c, "/nope", "x"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.getByUnique(c, "/ref", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.getByUnique(c, "/ref", 7), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> records.getByUnique(name("undeclared"), "/ref", "x"), ErrorCode.NOT_FOUND);
    assertCode(() -> records.getByUnique("Bad Name", "/ref", "x"), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void ofConcurrentCreatesWithOneUniqueValueExactlyOneWins() throws Exception {
    String c = tickets().name();
    Records records = records(newTenant());
    var outcomes =
        Concurrently.race(
            8,
            i ->
                records.create(
                    c, NewRecord.of("T" + i, ticket("t", "open", 1).put("ref", "SAME"))));
    assertThat(outcomes.stream().filter(Concurrently.Outcome::ok)).hasSize(1);
    assertThat(outcomes.stream().filter(o -> !o.ok()).map(Concurrently.Outcome::code))
        .containsOnly("ALREADY_EXISTS");
    assertThat(records.count(RecordQuery.of(c).where(RecordFilter.eq("/ref", "SAME"))))
        .isEqualTo(1);
    var sameId =
        Concurrently.race(6, i -> records.create(c, NewRecord.of("ONE", ticket("t", "open", 1))));
    assertThat(sameId.stream().filter(Concurrently.Outcome::ok)).hasSize(1);
  }

  @Test
  void anotherTenantSeesNothingAndCanChangeNothing() {
    String c = tickets().name();
    Records a = records(newTenant());
    Records b = records(newTenant());
    a.create(c, NewRecord.of("T1", ticket("a", "open", 1).put("ref", "R")));
    assertThat(b.get(c, "T1")).isEmpty();
    assertThat(b.query(RecordQuery.of(c)).records()).isEmpty();
    assertThat(b.count(RecordQuery.of(c).where(RecordFilter.eq("/status", "open")))).isZero();
    assertCode(() -> b.replace(c, "T1", 0, ticket("b", "open", 1)), ErrorCode.NOT_FOUND);
    assertCode(() -> b.patch(c, "T1", 0, json("{}")), ErrorCode.NOT_FOUND);
    assertCode(() -> b.archive(c, "T1", 0), ErrorCode.NOT_FOUND);
    assertCode(() -> b.delete(c, "T1", 0), ErrorCode.NOT_FOUND);
    assertCode(() -> b.history(c, "T1", 0, 10), ErrorCode.NOT_FOUND);
    assertCode(() -> b.getAsOf(c, "T1", 0), ErrorCode.NOT_FOUND);
    // the same id and unique value are free in b
    b.create(c, NewRecord.of("T1", ticket("mine", "closed", 2).put("ref", "R")));
    assertThat(a.get(c, "T1").orElseThrow().data().get("title").asText()).isEqualTo("a");
    assertThat(a.query(RecordQuery.of(c).where(RecordFilter.eq("/status", "closed"))).records())
        .isEmpty();
  }

  @Test
  void filtersOfEveryKindAreAnswered() {
    String c = tickets().name();
    Records records = records(newTenant());
    String[] statuses = {"open", "pending", "closed"};
    for (int i = 1; i <= 12; i++) {
      ObjectNode data = ticket("t" + i, statuses[i % 3], 1 + i % 5);
      data.put("due", "2025-03-" + String.format("%02d", i) + "T09:00:00Z");
      data.put("urgent", i % 4 == 0);
      data.put("ref", (i % 2 == 0 ? "ACME-" : "INIT-") + i);
      records.create(c, NewRecord.of("T" + i, data));
    }
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.eq("/status", "open"))))
        .containsExactlyInAnyOrder("T3", "T6", "T9", "T12");
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.in("/status", "open", "closed"))))
        .hasSize(8);
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.gte("/priority", 4))))
        .containsExactlyInAnyOrder("T3", "T4", "T8", "T9");
    assertThat(
            ids(
                records,
                RecordQuery.of(c)
                    .where(RecordFilter.gt("/priority", 1))
                    .where(RecordFilter.lt("/priority", 3))))
        .containsExactlyInAnyOrder("T1", "T6", "T11");
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.lte("/priority", 1))))
        .containsExactlyInAnyOrder("T5", "T10");
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.prefix("/ref", "ACME-1"))))
        .containsExactlyInAnyOrder("T10", "T12");
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.eq("/urgent", true))))
        .containsExactlyInAnyOrder("T4", "T8", "T12");
    assertThat(
            ids(
                records,
                RecordQuery.of(c)
                    .where(RecordFilter.gte("/due", "2025-03-10T09:00:00+00:00"))
                    .where(
                        RecordFilter.lt("/due", java.time.Instant.parse("2025-03-12T09:00:00Z")))))
        .containsExactlyInAnyOrder("T10", "T11");
    assertThat(
            records.count(
                RecordQuery.of(c)
                    .where(RecordFilter.eq("/status", "open"))
                    .where(RecordFilter.eq("/urgent", true))))
        .isEqualTo(1);
    // a record without the field matches no filter
    records.create(c, NewRecord.of("T13", json("{'title': 'no priority', 'status': 'open'}")));
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.lt("/priority", 2))))
        .doesNotContain("T13");
  }

  @Test
  void pagesFollowTheSortByCursorOrByOffset() {
    String c = tickets().name();
    Records records = records(newTenant());
    for (int i = 0; i < 7; i++) {
      records.create(c, NewRecord.of("T" + i, ticket("t", "open", 5 - i % 5)));
      clock.advance(Duration.ofSeconds(1));
    }
    // by created_at, newest first, 3 a page
    List<String> seen = new ArrayList<>();
    RecordQuery q = RecordQuery.of(c).sortBy(RecordQuery.CREATED_AT, true).limit(3);
    RecordPage page = records.query(q);
    seen.addAll(page.records().stream().map(StoredRecord::id).toList());
    while (page.nextCursor() != null) {
      page = records.query(q.after(page.nextCursor()));
      seen.addAll(page.records().stream().map(StoredRecord::id).toList());
    }
    assertThat(seen).containsExactly("T6", "T5", "T4", "T3", "T2", "T1", "T0");
    // by an indexed field, ties by id
    List<String> byPriority = new ArrayList<>();
    RecordQuery p = RecordQuery.of(c).sortBy("/priority", false).limit(2);
    page = records.query(p);
    byPriority.addAll(page.records().stream().map(StoredRecord::id).toList());
    while (page.nextCursor() != null) {
      page = records.query(p.after(page.nextCursor()));
      byPriority.addAll(page.records().stream().map(StoredRecord::id).toList());
    }
    assertThat(byPriority).containsExactly("T4", "T3", "T2", "T1", "T6", "T0", "T5");
    // offset pages
    assertThat(ids(records, RecordQuery.of(c).limit(2).offset(2))).containsExactly("T2", "T3");
    // a cursor of another sort is refused
    String cursor = records.query(q).nextCursor();
    assertCode(() -> records.query(p.after(cursor)), ErrorCode.INVALID_ARGUMENT);
    // updated_at follows the last change
    records.patch(c, "T0", 0, json("{'title': 'touched'}"));
    assertThat(ids(records, RecordQuery.of(c).sortBy(RecordQuery.UPDATED_AT, true).limit(1)))
        .containsExactly("T0");
    assertThat(records.count(RecordQuery.of(c))).isEqualTo(7);
  }

  @Test
  void archivedRecordsAreLeftOutUnlessAskedFor() {
    String c = tickets().name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("T1", ticket("a", "open", 1)));
    records.create(c, NewRecord.of("T2", ticket("b", "open", 1)));
    records.archive(c, "T1", 0);
    RecordQuery open = RecordQuery.of(c).where(RecordFilter.eq("/status", "open"));
    assertThat(ids(records, open)).containsExactly("T2");
    assertThat(ids(records, open.includeArchived(true))).containsExactlyInAnyOrder("T1", "T2");
    assertThat(records.count(RecordQuery.of(c))).isEqualTo(1);
  }

  @Test
  void childrenBelongToAParentThatMustExist() {
    String tickets = tickets().name();
    String comments =
        fs.collections()
            .declare(
                CollectionSpec.of(name("comments"))
                    .withParent(tickets)
                    .withIndexed(IndexedField.string("/author")))
            .name();
    Records records = records(newTenant());
    records.create(tickets, NewRecord.of("T1", ticket("a", "open", 1)));
    records.create(tickets, NewRecord.of("T2", ticket("b", "open", 1)));
    assertCode(
        () -> records.create(comments, NewRecord.of("c0", json("{'author': 'ann'}"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            records.create(
                comments, NewRecord.of("c0", json("{'author': 'ann'}")).withParent("T9")),
        ErrorCode.NOT_FOUND);
    assertCode(
        () -> records.create(tickets, NewRecord.of("T3", ticket("c", "open", 1)).withParent("T1")),
        ErrorCode.INVALID_ARGUMENT);
    for (int i = 0; i < 3; i++) {
      records.create(comments, NewRecord.of("c" + i, json("{'author': 'ann'}")).withParent("T1"));
      clock.advance(Duration.ofSeconds(1));
    }
    records.create(comments, NewRecord.of("c9", json("{'author': 'bob'}")).withParent("T2"));
    assertThat(ids(records, RecordQuery.of(comments).childrenOf("T1")))
        .containsExactly("c0", "c1", "c2");
    assertThat(
            records.count(
                RecordQuery.of(comments).childrenOf("T2").where(RecordFilter.eq("/author", "bob"))))
        .isEqualTo(1);
    assertThat(records.get(comments, "c0").orElseThrow().parentId()).isEqualTo("T1");
    assertCode(() -> records.delete(tickets, "T1", 0), ErrorCode.UNPROCESSABLE);
    for (int i = 0; i < 3; i++) records.delete(comments, "c" + i, 0);
    records.delete(tickets, "T1", 0);
  }

  @Test
  void historyHoldsTheIndexedValuesBeforeAndAfterAndRebuildsEveryVersion() {
    String c = tickets().name();
    Records records =
        records(newTenant()).attributedTo("agent:ann", "4bf92f3577b34da6a3ce929d0e0e4736");
    records.create(c, NewRecord.of("T1", ticket("a", "open", 3)));
    records.patch(c, "T1", 0, json("{'status': 'pending', 'note': 'waiting'}"));
    records.replace(c, "T1", 1, ticket("a", "closed", 3));
    records.archive(c, "T1", 2);
    List<RecordedEvent> history = records.history(c, "T1", 0, 100);
    // the status history is a query of the stream
    assertThat(history)
        .filteredOn(e -> e.payload().path("indexed").has("/status"))
        .extracting(e -> e.payload().path("indexed").path("/status").path("after").asText())
        .containsExactly("open", "pending", "closed");
    RecordedEvent patched = history.get(1);
    assertThat(patched.payload().path("indexed").path("/status").path("before").asText())
        .isEqualTo("open");
    assertThat(patched.payload().path("indexed").has("/priority")).isFalse();
    assertThat(patched.payload().path("set"))
        .isEqualTo(json("{'status': 'pending', 'note': 'waiting'}"));
    assertThat(patched.metadata().path("actor").asText()).isEqualTo("agent:ann");
    assertThat(patched.metadata().path("trace_id").asText())
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(history.get(2).payload().path("removed").get(0).asText()).isEqualTo("note");

    assertThat(records.getAsOf(c, "T1", 0).data()).isEqualTo(ticket("a", "open", 3));
    assertThat(records.getAsOf(c, "T1", 1).data())
        .isEqualTo(ticket("a", "pending", 3).put("note", "waiting"));
    assertThat(records.getAsOf(c, "T1", 2).data()).isEqualTo(ticket("a", "closed", 3));
    StoredRecord now = records.get(c, "T1").orElseThrow();
    assertThat(records.getAsOf(c, "T1", 3)).isEqualTo(now);
    assertCode(() -> records.getAsOf(c, "T1", 4), ErrorCode.NOT_FOUND);

    // a deleted record's id continues its stream; the deleted version is not a record
    records.delete(c, "T1", 3);
    StoredRecord again = records.create(c, NewRecord.of("T1", ticket("z", "open", 1)));
    assertThat(again.version()).isEqualTo(5);
    assertCode(() -> records.getAsOf(c, "T1", 4), ErrorCode.NOT_FOUND);
    assertThat(records.getAsOf(c, "T1", 5)).isEqualTo(again);
    assertThat(records.history(c, "T1", 0, 100)).hasSize(6);
  }

  @Test
  void aRolledBackTransactionLeavesNoRecordNoEventAndNoIndexEntry() {
    String c = tickets().name();
    TenantId t = newTenant();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.records()
                          .create(c, NewRecord.of("T1", ticket("a", "open", 1).put("ref", "R")));
                      tx.events()
                          .append(
                              "audit-1",
                              ExpectedVersion.ANY,
                              List.of(EventData.of("x", json("{}"))));
                      tx.queue().enqueue(NewJob.of("mail", "notify", json("{}")));
                      throw new IllegalStateException("boom");
                    }))
        .hasMessageContaining("boom");
    Records records = records(t);
    assertThat(records.get(c, "T1")).isEmpty();
    assertCode(() -> records.history(c, "T1", 0, 10), ErrorCode.NOT_FOUND);
    assertThat(records.count(RecordQuery.of(c).where(RecordFilter.eq("/status", "open")))).isZero();
    assertThat(fs.events(t).readStream("audit-1", 0, 10, Direction.FORWARD)).isEmpty();
    // the unique value was never taken
    records.create(c, NewRecord.of("T2", ticket("b", "open", 1).put("ref", "R")));

    StoredRecord committed =
        fs.inTransaction(
            t,
            tx -> {
              StoredRecord r = tx.records().create(c, NewRecord.of("T3", ticket("c", "open", 1)));
              tx.records().patch(c, "T3", 0, json("{'status': 'pending'}"));
              tx.outbox().add("queue:tickets", json("{'id': 'T3'}"), null, null);
              return tx.records().get(c, "T3").orElseThrow();
            });
    assertThat(committed.version()).isEqualTo(1);
    assertThat(records.get(c, "T3")).get().isEqualTo(committed);
    assertThat(records.history(c, "T3", 0, 10)).hasSize(2);
  }

  @Test
  void aChangedDeclarationBuildsItsIndexForExistingRecords() {
    String name = name("agents");
    Collections0 cols = new Collections0(name);
    Collection v1 = fs.collections().declare(CollectionSpec.of(name));
    assertThat(v1.version()).isEqualTo(1);
    assertThat(fs.collections().declare(CollectionSpec.of(name)).version()).isEqualTo(1);
    TenantId a = newTenant();
    TenantId b = newTenant();
    for (int i = 0; i < 5; i++) {
      records(a)
          .create(name, NewRecord.of("a" + i, json("{'username': 'u" + i + "', 'team': 'x'}")));
      records(b).create(name, NewRecord.of("b" + i, json("{'username': 'u" + (i % 2) + "'}")));
    }
    assertCode(
        () -> records(a).query(RecordQuery.of(name).where(RecordFilter.eq("/team", "x"))),
        ErrorCode.INVALID_ARGUMENT);
    Collection v2 = fs.collections().declare(cols.indexed("/team", "/username"));
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.ready()).isTrue();
    assertThat(records(a).count(RecordQuery.of(name).where(RecordFilter.eq("/team", "x"))))
        .isEqualTo(5);
    assertThat(records(b).count(RecordQuery.of(name).where(RecordFilter.eq("/username", "u1"))))
        .isEqualTo(2);
    // a unique field over values held twice: declared, not ready, the records named
    assertThatThrownBy(
            () ->
                fs.collections()
                    .declare(cols.indexed("/team", "/username").withUnique("/username")))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
    Collection stuck = fs.collections().get(name).orElseThrow();
    assertThat(stuck.version()).isEqualTo(3);
    assertThat(stuck.ready()).isFalse();
    assertCode(
        () -> records(b).query(RecordQuery.of(name).where(RecordFilter.eq("/username", "u1"))),
        ErrorCode.UNPROCESSABLE);
    // fixing the data and declaring again resumes the build
    records(b).delete(name, "b2", 0);
    records(b).delete(name, "b3", 0);
    records(b).delete(name, "b4", 0);
    Collection fixed =
        fs.collections().declare(cols.indexed("/team", "/username").withUnique("/username"));
    assertThat(fixed.ready()).isTrue();
    assertThat(fixed.version()).isEqualTo(3);
    assertCode(
        () -> records(b).create(name, NewRecord.of("b9", json("{'username': 'u1'}"))),
        ErrorCode.ALREADY_EXISTS);
    // a field dropped from the index can no longer be queried, nor block a write
    fs.collections().declare(cols.indexed("/team"));
    assertCode(
        () -> records(b).query(RecordQuery.of(name).where(RecordFilter.eq("/username", "u1"))),
        ErrorCode.INVALID_ARGUMENT);
    records(b).create(name, NewRecord.of("b9", json("{'username': 'u1'}")));
    assertThat(fs.collections().list()).extracting(Collection::name).contains(name);
  }

  @Test
  void writesDuringAnIndexBuildAreIndexed() throws Exception {
    String name = name("items");
    fs.collections().declare(CollectionSpec.of(name));
    TenantId t = newTenant();
    Records records = records(t);
    int stored = 2 * 200 + 50; // more than two build batches
    for (int i = 0; i < stored; i++)
      records.create(name, NewRecord.of(String.format("a%04d", i), json("{'k': 'x'}")));
    java.util.concurrent.atomic.AtomicBoolean building =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger created =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger patched =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              // why: at least a few writes, however fast the build is
              for (int n = 0; building.get() || n < 20; n++) {
                records.create(name, NewRecord.of("b" + n, json("{'k': 'x'}")));
                created.incrementAndGet();
                records.patch(name, String.format("a%04d", stored - 1 - n), 0, json("{'k': 'y'}"));
                patched.incrementAndGet();
              }
            });
    writer.start();
    Collection built =
        fs.collections().declare(CollectionSpec.of(name).withIndexed(IndexedField.string("/k")));
    building.set(false);
    writer.join(60_000);
    assertThat(writer.isAlive()).isFalse();
    assertThat(built.ready()).isTrue();
    RecordQuery all = RecordQuery.of(name);
    assertThat(records.count(all.where(RecordFilter.eq("/k", "y")))).isEqualTo(patched.get());
    assertThat(records.count(all.where(RecordFilter.eq("/k", "x"))))
        .isEqualTo(stored + created.get() - patched.get());
  }

  /** Declarations of one collection, by its indexed string fields. */
  private record Collections0(String name) {
    CollectionSpec indexed(String... pointers) {
      return CollectionSpec.of(name)
          .withIndexed(
              java.util.Arrays.stream(pointers)
                  .map(IndexedField::string)
                  .toArray(IndexedField[]::new));
    }
  }

  private static List<String> ids(Records records, RecordQuery q) {
    return records.query(q).records().stream().map(StoredRecord::id).toList();
  }

  // --- retention -----------------------------------------------------------------------------

  private Collection retained(RecordRetention retention, IndexedField... indexed) {
    return fs.collections()
        .declare(CollectionSpec.of(name("retained")).withIndexed(indexed).withRetention(retention));
  }

  private static List<String> types(Records records, String c, String id) {
    return records.history(c, id, 0, 100).stream().map(RecordedEvent::type).toList();
  }

  @Test
  void retentionDeletesRecordsDueByCreationOnlyAndOnlyThisTenants() {
    String c =
        retained(RecordRetention.delete(30, RecordRetention.CREATED), IndexedField.string("/s"))
            .name();
    TenantId acme = newTenant();
    TenantId other = newTenant();
    Records records = records(acme);
    records.create(c, NewRecord.of("old", json("{'s': 'a'}")));
    records(other).create(c, NewRecord.of("old", json("{'s': 'a'}")));
    clock.advance(Duration.ofDays(10));
    records.create(c, NewRecord.of("young", json("{'s': 'a'}")));
    clock.advance(Duration.ofDays(20).minusSeconds(1));
    assertThat(records.applyRetention(c, clock.instant(), 100)).isZero();

    clock.advance(Duration.ofSeconds(1)); // 30 days after "old" was created
    assertThat(records.applyRetention(c, clock.instant(), 100)).isEqualTo(1);
    assertThat(records.get(c, "old")).isEmpty();
    assertThat(records.get(c, "young")).isPresent();
    assertThat(types(records, c, "old")).containsExactly("record.created", "record.deleted");
    assertThat(ids(records, RecordQuery.of(c).where(RecordFilter.eq("/s", "a"))))
        .containsExactly("young");
    assertThat(records(other).get(c, "old")).isPresent();
    assertThat(records.applyRetention(c, clock.instant(), 100)).isZero();
  }

  @Test
  void retentionArchivesRecordsDueByLastChangeOnceAndLeavesArchivedOnesAlone() {
    String c = retained(RecordRetention.archive(5, RecordRetention.UPDATED)).name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("idle", json("{'n': 1}")));
    records.create(c, NewRecord.of("busy", json("{'n': 1}")));
    StoredRecord byHand = records.create(c, NewRecord.of("by-hand", json("{'n': 1}")));
    records.archive(c, byHand.id(), 0);
    clock.advance(Duration.ofDays(4));
    records.patch(c, "busy", 0, json("{'n': 2}"));
    clock.advance(Duration.ofDays(1));

    assertThat(records.applyRetention(c, clock.instant(), 100)).isEqualTo(1);
    assertThat(records.get(c, "idle")).get().satisfies(r -> assertThat(r.archived()).isTrue());
    assertThat(records.get(c, "busy")).get().satisfies(r -> assertThat(r.archived()).isFalse());
    assertThat(types(records, c, "idle")).containsExactly("record.created", "record.archived");
    assertThat(types(records, c, "by-hand")).containsExactly("record.created", "record.archived");

    clock.advance(Duration.ofDays(30));
    assertThat(records.applyRetention(c, clock.instant(), 100)).isEqualTo(1); // busy only
    assertThat(types(records, c, "idle")).containsExactly("record.created", "record.archived");
    assertThat(types(records, c, "busy"))
        .containsExactly("record.created", "record.patched", "record.archived");
    assertThat(records.applyRetention(c, clock.instant(), 100)).isZero();
    assertThat(records.count(RecordQuery.of(c).includeArchived(true))).isEqualTo(3);
  }

  @Test
  void retentionByATimestampFieldGoesThroughItsIndexAndSkipsRecordsWithoutIt() {
    String c =
        retained(RecordRetention.delete(7, "/closed_at"), IndexedField.timestamp("/closed_at"))
            .name();
    Records records = records(newTenant());
    java.time.Instant t0 = clock.instant();
    records.create(c, NewRecord.of("closed", json("{'closed_at': '" + t0 + "'}")));
    records.create(
        c,
        NewRecord.of("closed-later", json("{'closed_at': '" + t0.plus(Duration.ofDays(3)) + "'}")));
    records.create(c, NewRecord.of("open", json("{'closed_at': null}")));
    records.create(c, NewRecord.of("never", json("{}")));
    clock.advance(Duration.ofDays(30)); // created_at is old for all: only the field counts

    assertThat(records.applyRetention(c, t0.plus(Duration.ofDays(7)), 100)).isEqualTo(1);
    assertThat(records.get(c, "closed")).isEmpty();
    assertThat(types(records, c, "closed")).containsExactly("record.created", "record.deleted");
    assertThat(records.applyRetention(c, clock.instant(), 100)).isEqualTo(1);
    assertThat(ids(records, RecordQuery.of(c))).containsExactlyInAnyOrder("open", "never");
  }

  @Test
  void retentionGoesInBatchesOfAtMostMax() {
    String c = retained(RecordRetention.archive(1, RecordRetention.CREATED)).name();
    Records records = records(newTenant());
    for (int i = 0; i < 5; i++) records.create(c, NewRecord.of("r" + i, json("{}")));
    clock.advance(Duration.ofDays(1));
    assertThat(records.applyRetention(c, clock.instant(), 2)).isEqualTo(2);
    assertThat(records.applyRetention(c, clock.instant(), 2)).isEqualTo(2);
    assertThat(records.applyRetention(c, clock.instant(), 2)).isEqualTo(1);
    assertThat(records.applyRetention(c, clock.instant(), 2)).isZero();
    assertThat(ids(records, RecordQuery.of(c))).isEmpty();
  }

  @Test
  void retentionSkipsARecordWithChildrenAndGoesOnWithTheRest() {
    String parents = retained(RecordRetention.delete(1, RecordRetention.CREATED)).name();
    String kids =
        fs.collections().declare(CollectionSpec.of(name("kids")).withParent(parents)).name();
    Records records = records(newTenant());
    records.create(parents, NewRecord.of("a", json("{}")));
    records.create(parents, NewRecord.of("b", json("{}")));
    records.create(kids, new NewRecord("k", json("{}"), "a"));
    clock.advance(Duration.ofDays(2));
    assertThat(records.applyRetention(parents, clock.instant(), 1)).isEqualTo(1);
    assertThat(records.get(parents, "a")).isPresent();
    assertThat(records.get(parents, "b")).isEmpty();
  }

  @Test
  void aCollectionWithoutRetentionIsLeftAloneAndAnUndeclaredOneIsNotFound() {
    String c = tickets().name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("T1", ticket("a", "open", 1)));
    clock.advance(Duration.ofDays(3650));
    assertThat(records.applyRetention(c, clock.instant(), 100)).isZero();
    assertThat(records.get(c, "T1")).isPresent();
    assertCode(
        () -> records.applyRetention(name("nope"), clock.instant(), 100), ErrorCode.NOT_FOUND);
    assertCode(() -> records.applyRetention(c, clock.instant(), 0), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void aRetentionIsDeclaredKeptAndCheckedWithClearMessages() {
    Collection col = retained(RecordRetention.archive(90, "/due"), IndexedField.timestamp("/due"));
    assertThat(col.spec().retention()).isEqualTo(RecordRetention.archive(90, "/due"));
    assertThat(fs.collections().get(col.name()).orElseThrow().spec().retention())
        .isEqualTo(RecordRetention.archive(90, "/due"));
    assertThat(fs.collections().declare(col.spec()).version()).isEqualTo(col.version());
    assertThat(fs.collections().declare(col.spec().withRetention(null)).spec().retention())
        .isNull();

    assertInvalid(
        CollectionSpec.of(name("r")).withRetention(RecordRetention.delete(0, "created_at")),
        "retention.days must be >= 1");
    assertInvalid(
        CollectionSpec.of(name("r")).withRetention(RecordRetention.delete(1, "/closed_at")),
        "retention.basis: /closed_at must be created_at, updated_at or an indexed field of type timestamp");
    assertInvalid(
        CollectionSpec.of(name("r"))
            .withIndexed(IndexedField.string("/closed_at"))
            .withRetention(RecordRetention.delete(1, "/closed_at")),
        "retention.basis: /closed_at is indexed as string, it must be a timestamp");
    assertInvalid(
        CollectionSpec.of(name("r")).withRetention(RecordRetention.delete(1, "closed")),
        "retention.basis: invalid field 'closed'");
    assertInvalid(
        CollectionSpec.of(name("r")).withRetention(new RecordRetention(null, 1, "created_at")),
        "retention.action is required");
  }

  private void assertInvalid(CollectionSpec spec, String message) {
    assertThatThrownBy(() -> fs.collections().declare(spec))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  /** Articles: /title and /body searched, /status indexed, /secret neither. */
  private Collection articles() {
    return fs.collections()
        .declare(
            CollectionSpec.of(name("articles"))
                .withIndexed(IndexedField.string("/status"))
                .withFullText("/title", "/body"));
  }

  private static List<String> ids(RecordPage page) {
    return page.records().stream().map(StoredRecord::id).toList();
  }

  private List<String> search(Records records, String c, String term) {
    return ids(records.query(RecordQuery.of(c).search(term)));
  }

  @Test
  void searchFindsWordsOfTheDeclaredFieldsOnly() {
    String c = articles().name();
    Records records = records(newTenant());
    records.create(
        c,
        NewRecord.of(
            "A",
            json(
                "{'title': 'Refund policy', 'body': 'Customers may ask for a refund within 30 days',"
                    + " 'status': 'open', 'secret': 'zebra'}")));
    records.create(
        c,
        NewRecord.of(
            "B",
            json("{'title': 'Shipping', 'body': 'Parcels ship in two days', 'status': 'closed'}")));
    records.create(c, NewRecord.of("C", json("{'title': 42, 'body': ['refund'], 'status': 'x'}")));

    assertThat(search(records, c, "refund")).containsExactly("A");
    assertThat(search(records, c, "REFUND Policy")).containsExactly("A");
    assertThat(search(records, c, "days")).containsExactlyInAnyOrder("A", "B");
    // every word must occur
    assertThat(search(records, c, "refund shipping")).isEmpty();
    // a field not declared is not searched, nor a value that is no string
    assertThat(search(records, c, "zebra")).isEmpty();
    assertThat(search(records, c, "42")).isEmpty();
    // relevance first: both words of the title and the body outrank one
    records.create(
        c, NewRecord.of("D", json("{'title': 'Days', 'body': 'days and days', 'status': 'open'}")));
    assertThat(search(records, c, "days").get(0)).isEqualTo("D");
    // with a filter, a sort, a count, pages
    RecordQuery open = RecordQuery.of(c).search("days").where(RecordFilter.eq("/status", "open"));
    assertThat(ids(records.query(open))).containsExactly("D", "A");
    assertThat(records.count(open)).isEqualTo(2);
    assertThat(ids(records.query(open.sortBy(RecordQuery.CREATED_AT, false))))
        .containsExactly("A", "D");
    assertThat(ids(records.query(open.sortBy("/status", true))))
        .containsExactlyInAnyOrder("A", "D");
    RecordPage first = records.query(RecordQuery.of(c).search("days").limit(2));
    assertThat(first.records()).hasSize(2);
    RecordPage second =
        records.query(RecordQuery.of(c).search("days").limit(2).after(first.nextCursor()));
    assertThat(ids(second)).hasSize(1).doesNotContainAnyElementsOf(ids(first));
    assertThat(second.nextCursor()).isNull();
  }

  @Test
  void searchFollowsEveryChangeAndStaysInItsTenant() {
    String c = articles().name();
    Records a = records(newTenant());
    Records b = records(newTenant());
    StoredRecord r = a.create(c, NewRecord.of("A", json("{'title': 'apple pie'}")));
    b.create(c, NewRecord.of("B", json("{'title': 'apple tart'}")));
    assertThat(search(a, c, "apple")).containsExactly("A");
    assertThat(search(b, c, "apple")).containsExactly("B");
    assertThat(search(b, c, "pie")).isEmpty();
    assertThat(b.count(RecordQuery.of(c).search("pie"))).isZero();

    r = a.replace(c, "A", r.version(), json("{'title': 'cherry pie'}"));
    assertThat(search(a, c, "apple")).isEmpty();
    assertThat(search(a, c, "cherry")).containsExactly("A");
    r = a.patch(c, "A", r.version(), json("{'title': null, 'body': 'plum crumble'}"));
    assertThat(search(a, c, "cherry")).isEmpty();
    assertThat(search(a, c, "crumble")).containsExactly("A");
    r = a.archive(c, "A", r.version());
    assertThat(search(a, c, "crumble")).isEmpty();
    assertThat(ids(a.query(RecordQuery.of(c).search("crumble").includeArchived(true))))
        .containsExactly("A");
    a.delete(c, "A", r.version());
    assertThat(ids(a.query(RecordQuery.of(c).search("crumble").includeArchived(true)))).isEmpty();
    assertThat(search(b, c, "apple")).containsExactly("B");
  }

  @Test
  void hostileSearchTermsAreWordsNotSyntax() {
    String c = articles().name();
    Records records = records(newTenant());
    records.create(c, NewRecord.of("A", json("{'title': 'near the sea', 'body': 'or not'}")));
    records.create(c, NewRecord.of("B", json("{'title': 'sea shells'}")));
    for (String term :
        List.of(
            "\"sea",
            "sea\"",
            "sea*",
            "-sea",
            "sea -shells",
            "sea OR",
            "NEAR(sea shells)",
            "title:sea",
            "^sea",
            "sea AND",
            "(sea",
            "sea'; DROP TABLE records; --"))
      assertThat(search(records, c, term)).as(term).isNotNull();
    // operators are words: "-shells" does not exclude, "OR" does not widen, "NEAR" is the word
    assertThat(search(records, c, "sea -shells")).containsExactly("B");
    assertThat(search(records, c, "shells OR near")).isEmpty();
    assertThat(search(records, c, "NEAR sea")).containsExactly("A");
    assertThat(search(records, c, "se*")).isEmpty();
    assertCode(() -> search(records, c, "* - \" ()"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> search(records, c, "a".repeat(501)), ErrorCode.INVALID_ARGUMENT);
    // a collection without full-text fields names what to declare
    String plain = tickets().name();
    assertThatThrownBy(() -> search(records, plain, "sea"))
        .isInstanceOf(FlowstoreException.class)
        .hasMessageContaining("full_text")
        .extracting(e -> ((FlowstoreException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> records.query(RecordQuery.of(c).sortBy(RecordQuery.RELEVANCE, false)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.collections().declare(CollectionSpec.of(name("x")).withFullText("title")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> fs.collections().declare(CollectionSpec.of(name("x")).withFullText("/a", "/a")),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void aDeclarationAddingFullTextMakesExistingRecordsSearchable() {
    String name = name("notes");
    fs.collections().declare(CollectionSpec.of(name));
    Records records = records(newTenant());
    for (int i = 0; i < RECORDS_OVER_A_BATCH; i++)
      records.create(
          name, NewRecord.of("N" + i, json("{'text': 'note number " + i + "', 'tag': 'kiwi'}")));
    assertCode(() -> search(records, name, "note"), ErrorCode.INVALID_ARGUMENT);

    Collection v2 = fs.collections().declare(CollectionSpec.of(name).withFullText("/text"));
    assertThat(v2.spec().fullText()).containsExactly("/text");
    assertThat(records.count(RecordQuery.of(name).search("note"))).isEqualTo(RECORDS_OVER_A_BATCH);
    assertThat(search(records, name, "number 7")).contains("N7");
    assertThat(search(records, name, "kiwi")).isEmpty();

    fs.collections().declare(CollectionSpec.of(name).withFullText("/tag"));
    assertThat(search(records, name, "note")).isEmpty();
    assertThat(records.count(RecordQuery.of(name).search("kiwi"))).isEqualTo(RECORDS_OVER_A_BATCH);
  }

  @Test
  void aFullTextBuildThatStoppedIsNotReadyUntilDeclaredAgain() {
    String name = name("notes");
    Collection v1 =
        fs.collections().declare(CollectionSpec.of(name).withIndexed(IndexedField.string("/tag")));
    assertThat(v1.fullTextReady()).isTrue();
    Records records = records(newTenant());
    records.create(name, NewRecord.of("N1", json("{'text': 'alpha note', 'tag': 'x'}")));
    records.create(name, NewRecord.of("N2", json("{'text': 'beta note', 'tag': 'x'}")));
    // the build of a new full_text stops on a new unique field whose value is held twice
    CollectionSpec both =
        CollectionSpec.of(name)
            .withIndexed(IndexedField.string("/tag"))
            .withUnique("/tag")
            .withFullText("/text");
    assertCode(() -> fs.collections().declare(both), ErrorCode.ALREADY_EXISTS);
    Collection stuck = fs.collections().get(name).orElseThrow();
    assertThat(stuck.fullTextReady()).isFalse();
    assertThat(stuck.ready()).isFalse();
    // a search is not refused meanwhile (it finds what was rebuilt so far)
    assertThat(records.query(RecordQuery.of(name).search("note")).records().size())
        .isLessThanOrEqualTo(2);
    // fixed, and the same spec declared again: the build resumes and completes
    records.patch(name, "N2", 0, json("{'tag': 'y'}"));
    Collection fixed = fs.collections().declare(both);
    assertThat(fixed.version()).isEqualTo(stuck.version());
    assertThat(fixed.fullTextReady()).isTrue();
    assertThat(fixed.ready()).isTrue();
    assertThat(fs.collections().get(name).orElseThrow().fullTextReady()).isTrue();
    assertThat(records.count(RecordQuery.of(name).search("note"))).isEqualTo(2);
    // a change of full_text alone is built before declare returns
    Collection tags = fs.collections().declare(both.withFullText("/tag"));
    assertThat(tags.fullTextReady()).isTrue();
    assertThat(search(records, name, "y")).containsExactly("N2");
    assertThat(search(records, name, "note")).isEmpty();
  }

  /** More records than one build batch (RecordIndex.BUILD_BATCH is 200). */
  private static final int RECORDS_OVER_A_BATCH = 205;
}
