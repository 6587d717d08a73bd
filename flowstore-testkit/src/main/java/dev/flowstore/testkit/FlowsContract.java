package dev.flowstore.testkit;

import static dev.flowstore.testkit.EventStoreContract.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flow;
import dev.flowstore.Flows;
import dev.flowstore.TenantId;
import org.junit.jupiter.api.Test;

/** The flow registry contract: versioned definitions, YAML and JSON Schema checked on write. */
public abstract class FlowsContract extends FlowstoreTestBase {
  protected static final String YAML =
      "name: review\nstates:\n  start: {next: review}\n  review: {next: done}\n";

  protected static ObjectNode schema() {
    ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
    s.putObject("properties").putObject("doc_id").put("type", "string");
    s.putArray("required").add("doc_id");
    return s;
  }

  @Test
  void registeringAgainAddsAVersionAndGetReturnsLatestOrOne() {
    Flows flows = fs.flows(newTenant());
    Flow v1 = flows.register("review", "Review", "first", YAML, schema());
    Flow v2 = flows.register("review", "Review", "second", YAML + "# v2\n", null);
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(flows.get("review")).get().isEqualTo(v2);
    assertThat(flows.get("review", 1)).get().isEqualTo(v1);
    assertThat(flows.get("review", 3)).isEmpty();
    assertThat(flows.get("nope")).isEmpty();
    assertThat(v1.paramSchema()).isEqualTo(schema());
  }

  @Test
  void listsTheLatestVersionOfEachFlowInPages() {
    Flows flows = fs.flows(newTenant());
    for (String id : new String[] {"c", "a", "b"}) flows.register(id, null, null, YAML, null);
    flows.register("a", null, null, YAML, null);
    assertThat(flows.list(null, 2))
        .extracting(Flow::flowId, Flow::version)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 2),
            org.assertj.core.groups.Tuple.tuple("b", 1));
    assertThat(flows.list("b", 2)).extracting(Flow::flowId).containsExactly("c");
  }

  @Test
  void badDefinitionsAreRejectedAndNothingIsStored() {
    Flows flows = fs.flows(newTenant());
    assertCode(
        () -> flows.register("f", null, null, "a: [unclosed", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> flows.register("f", null, null, "- just\n- a list\n", null),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> flows.register("f", null, null, " ", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            flows.register(
                "f", null, null, YAML, JsonNodeFactory.instance.objectNode().put("type", 5)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            flows.register(
                "f", null, null, YAML, JsonNodeFactory.instance.objectNode().put("minimum", "ten")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> flows.register("bad id", null, null, YAML, null), ErrorCode.INVALID_ID);
    assertThat(flows.get("f")).isEmpty();
  }

  @Test
  void flowsAreScopedToTheirTenant() {
    TenantId a = newTenant();
    fs.flows(a).register("review", null, null, YAML, null);
    Flows b = fs.flows(newTenant());
    assertThat(b.get("review")).isEmpty();
    assertThat(b.list(null, 10)).isEmpty();
    assertThat(b.register("review", null, null, YAML, null).version()).isEqualTo(1);
  }
}
