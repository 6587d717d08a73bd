package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ApiKeys;
import dev.flowstore.AppendResult;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Direction;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Node;
import dev.flowstore.NodeDefinition;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tenant isolation through the Java API: whatever one tenant does, another can neither see nor
 * change it, nor learn that it exists. Every backend subclasses this; PostgreSQL adds its row-level
 * security tests on top.
 */
public abstract class TenancyContract extends FlowstoreTestBase {
  private static EventData event(int n, UUID id) {
    return new EventData(
        id, "order.placed", JsonNodeFactory.instance.objectNode().put("n", n), null);
  }

  @Test
  void aTenantCannotReadAnotherTenantsStreamsOrFeed() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    fs.events(a)
        .append("order-1", ExpectedVersion.NO_STREAM, List.of(event(1, null), event(2, null)));
    EventStore eb = fs.events(b);
    assertThat(eb.readStream("order-1", 0, 10, Direction.FORWARD)).isEmpty();
    assertThat(eb.readStream("order-1", Long.MAX_VALUE, 10, Direction.BACKWARD)).isEmpty();
    assertThat(eb.streamVersion("order-1")).isEqualTo(-1);
    assertThat(eb.readAll(0, 100, null)).isEmpty();
    assertThat(eb.readAll(0, 100, "order")).isEmpty();
    List<RecordedEvent> inTx = fs.inTransaction(b, tx -> tx.events().readAll(0, 100, null));
    assertThat(inTx).isEmpty();
  }

  @Test
  void aTenantCannotAppendIntoAnotherTenantsStream() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    UUID shared = UUID.randomUUID();
    fs.events(a).append("order-1", ExpectedVersion.NO_STREAM, List.of(event(1, shared)));
    // b's "order-1" is b's own stream: it starts at version 0 and position 1, and may reuse a's
    // event id
    AppendResult rb =
        fs.events(b).append("order-1", ExpectedVersion.NO_STREAM, List.of(event(9, shared)));
    assertThat(rb.replayed()).isFalse();
    assertThat(rb.events())
        .extracting(RecordedEvent::version, RecordedEvent::position)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 1L));
    List<RecordedEvent> ofA = fs.events(a).readStream("order-1", 0, 10, Direction.FORWARD);
    assertThat(ofA).hasSize(1);
    assertThat(ofA.get(0).payload().get("n").asInt()).isEqualTo(1);
    assertThat(fs.events(a).readAll(0, 10, null)).hasSize(1);
  }

  @Test
  void transactionsAreScopedToTheirTenantEvenOnAReusedConnection() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    for (int i = 0; i < 20; i++) {
      TenantId t = i % 2 == 0 ? a : b;
      fs.inTransaction(
          t,
          tx -> tx.events().append("s-" + t.value(), ExpectedVersion.ANY, List.of(event(0, null))));
    }
    for (TenantId t : List.of(a, b)) {
      List<RecordedEvent> all = fs.inTransaction(t, tx -> tx.events().readAll(0, 100, null));
      assertThat(all)
          .hasSize(10)
          .allSatisfy(e -> assertThat(e.stream()).isEqualTo("s-" + t.value()));
    }
  }

  @Test
  void tenantsListsEveryTenantThatHasAppended() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    fs.events(a).append("s-1", ExpectedVersion.ANY, List.of(event(1, null)));
    fs.events(b).append("s-1", ExpectedVersion.ANY, List.of(event(1, null)));
    fs.events(b).append("s-2", ExpectedVersion.ANY, List.of(event(1, null)));
    assertThat(fs.tenants()).contains(a, b).doesNotHaveDuplicates();
    // tenants that only use the queue or idempotency keys are swept too
    TenantId q = newTenant();
    TenantId k = newTenant();
    fs.queue(q).enqueue(dev.flowstore.NewJob.of("q", "t", null));
    fs.idempotencyKeys(k)
        .begin("key", "hash", java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(1));
    assertThat(fs.tenants()).contains(q, k);
  }

  /**
   * Every write that creates rows of a tenant registers the tenant, so whatever walks the registry
   * (the sweepers, {@code flowstore tenant}, {@code flowstore copy} on PostgreSQL without
   * BYPASSRLS) finds it: per store, a tenant that writes through it and nothing else.
   */
  @TestFactory
  Stream<DynamicTest> everyWriteThatCreatesATenantsRowsRegistersTheTenant() {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("n", 1);
    String yaml = "name: reg\nstates:\n  start: {next: done}\n";
    Map<String, Consumer<TenantId>> writes = new LinkedHashMap<>();
    writes.put(
        "events", t -> fs.events(t).append("s-1", ExpectedVersion.ANY, List.of(event(1, null))));
    writes.put("flows", t -> fs.flows(t).register("reg", null, null, yaml, null));
    writes.put(
        "flows in a caller's transaction",
        t -> fs.inTransaction(t, tx -> tx.flows().register("reg", null, null, yaml, null)));
    writes.put(
        "nodes",
        t ->
            fs.nodes(t)
                .register(
                    new NodeDefinition(
                        "reg.node", Node.Type.BUILTIN, "Reg", null, null, null, null)));
    writes.put("tasks", t -> fs.tasks(t).create("reg", null));
    writes.put("commands", t -> fs.commands(t).submit(UUID.randomUUID(), "approve", null, null));
    writes.put(
        "steps", t -> fs.steps(t).record(NewStepAttempt.running(UUID.randomUUID(), "s", 1, data)));
    writes.put(
        "checkpoints",
        t -> fs.checkpoints(t).save(UUID.randomUUID(), NewCheckpoint.of(null, data, null)));
    writes.put(
        "audit",
        t ->
            fs.audit(t)
                .append(new NewAuditEntry("ann", "create", "ticket", "1", null, null, data)));
    writes.put(
        "processed messages", t -> fs.processed(t).markProcessed(UUID.randomUUID(), "projector"));
    writes.put(
        "records",
        t -> {
          String c = "reg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
          fs.collections().declare(CollectionSpec.of(c));
          fs.records(t).create(c, NewRecord.of("r-1", data));
        });
    writes.put("queue", t -> fs.queue(t).enqueue(NewJob.of("q", "t", null)));
    writes.put("outbox", t -> fs.outbox(t).add("queue:relayed", data, null, null));
    writes.put(
        "idempotency keys",
        t ->
            fs.idempotencyKeys(t).begin("key", "hash", Duration.ofHours(1), Duration.ofMinutes(1)));
    writes.put(
        "resume handles",
        t ->
            fs.resumeHandles(t)
                .create(UUID.randomUUID(), "corr-1", clock.instant().plus(Duration.ofHours(1))));
    return writes.entrySet().stream()
        .map(
            w ->
                DynamicTest.dynamicTest(
                    w.getKey(),
                    () -> {
                      TenantId t = newTenant();
                      w.getValue().accept(t);
                      assertThat(fs.tenants()).as("registered by " + w.getKey()).contains(t);
                    }));
  }

  @Test
  void apiKeysAreScopedToTheirTenant() {
    TenantId a = newTenant();
    TenantId b = newTenant();
    ApiKeys keys = fs.apiKeys();
    ApiKeys.Created ka = keys.create(a, "ci");
    assertThat(keys.authenticate(ka.secret())).contains(a);
    assertThat(keys.authenticate(ka.secret() + "x")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.list(a)).extracting(ApiKeys.Info::keyId).containsExactly(ka.keyId());
    assertThat(keys.list(b)).isEmpty();
    assertThat(keys.revoke(b, ka.keyId())).isFalse();
    assertThat(keys.authenticate(ka.secret())).contains(a);
    assertThat(keys.revoke(a, ka.keyId())).isTrue();
    assertThat(keys.authenticate(ka.secret())).isEmpty();
  }

  @Test
  void aKeyKeepsTheScopeItWasCreatedWith() {
    TenantId a = newTenant();
    ApiKeys keys = fs.apiKeys();
    ApiKeys.Created plain = keys.create(a, "default scope");
    ApiKeys.Created read = keys.create(a, "viewer", ApiKeys.Scope.READ);
    ApiKeys.Created admin = keys.create(a, "ops", ApiKeys.Scope.ADMIN);
    assertThat(keys.identify(plain.secret()))
        .contains(new ApiKeys.Principal(plain.keyId(), a, ApiKeys.Scope.TENANT));
    assertThat(keys.identify(read.secret()))
        .contains(new ApiKeys.Principal(read.keyId(), a, ApiKeys.Scope.READ));
    assertThat(keys.identify(admin.secret()))
        .contains(new ApiKeys.Principal(admin.keyId(), a, ApiKeys.Scope.ADMIN));
    assertThat(keys.identify(read.secret() + "x")).isEmpty();
    assertThat(keys.list(a))
        .extracting(ApiKeys.Info::keyId, ApiKeys.Info::scope)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(plain.keyId(), ApiKeys.Scope.TENANT),
            org.assertj.core.groups.Tuple.tuple(read.keyId(), ApiKeys.Scope.READ),
            org.assertj.core.groups.Tuple.tuple(admin.keyId(), ApiKeys.Scope.ADMIN));
    assertThat(ApiKeys.Scope.READ.canWrite()).isFalse();
    assertThat(ApiKeys.Scope.fromWire("admin")).isEqualTo(ApiKeys.Scope.ADMIN);
    assertThatThrownBy(() -> ApiKeys.Scope.fromWire("root"))
        .isInstanceOfSatisfying(
            dev.flowstore.FlowstoreException.class,
            e -> assertThat(e.code()).isEqualTo(dev.flowstore.ErrorCode.INVALID_ARGUMENT));
    for (ApiKeys.Created k : List.of(plain, read, admin)) keys.revoke(a, k.keyId());
  }
}
