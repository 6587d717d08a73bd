package dev.flowstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Node;
import dev.flowstore.NodeDefinition;
import dev.flowstore.Nodes;
import dev.flowstore.TenantId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node registry contract: every backend subclasses this. */
public abstract class NodesContract extends FlowstoreTestBase {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static ObjectNode schema() {
    ObjectNode s = JSON.objectNode().put("type", "object");
    s.putObject("properties").putObject("query").put("type", "string");
    s.putArray("required").add("query");
    return s;
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  @Test
  void registersBuiltinAndWebhookNodesAndGetsThem() {
    Nodes nodes = fs.nodes(newTenant());
    Node b =
        nodes.register(
            new NodeDefinition(
                "llm.chat", Node.Type.BUILTIN, "Chat", "talks", null, schema(), null));
    assertThat(b.type()).isEqualTo(Node.Type.BUILTIN);
    assertThat(b.status()).isEqualTo(Node.Status.ACTIVE);
    assertThat(b.endpoint()).isNull();
    assertThat(b.paramSchema()).isEqualTo(schema());
    assertThat(b.description()).isEqualTo("talks");
    Node w =
        nodes.register(
            NodeDefinition.webhook("crm.lookup", "CRM", "https://crm.example.com/hook?x=1", null));
    assertThat(w.endpoint()).isEqualTo("https://crm.example.com/hook?x=1");
    assertThat(w.paramSchema()).isEqualTo(JSON.objectNode());
    assertThat(nodes.get("llm.chat")).contains(b);
    assertThat(nodes.get("crm.lookup")).contains(w);
    assertThat(nodes.get("nope")).isEmpty();
  }

  @Test
  void registerIsAnUpsertThatKeepsCreatedAt() {
    Nodes nodes = fs.nodes(newTenant());
    Node first = nodes.register(NodeDefinition.webhook("n1", "One", "http://a.example/hook", null));
    Node again =
        nodes.register(
            new NodeDefinition(
                "n1", Node.Type.BUILTIN, "One again", null, null, schema(), Node.Status.DISABLED));
    assertThat(again.type()).isEqualTo(Node.Type.BUILTIN);
    assertThat(again.endpoint()).isNull();
    assertThat(again.name()).isEqualTo("One again");
    assertThat(again.status()).isEqualTo(Node.Status.DISABLED);
    assertThat(again.createdAt()).isEqualTo(first.createdAt());
    assertThat(again.updatedAt()).isAfterOrEqualTo(first.updatedAt());
    assertThat(nodes.list(null, null, 10)).hasSize(1);
  }

  @Test
  void listsInIdOrderWithATypeFilterAndPaging() {
    Nodes nodes = fs.nodes(newTenant());
    for (String id : List.of("c", "a", "e", "b", "d")) {
      boolean hook = id.equals("b") || id.equals("d");
      nodes.register(
          hook
              ? NodeDefinition.webhook(id, id, "https://h.example/" + id, null)
              : NodeDefinition.builtin(id, id, null));
    }
    assertThat(nodes.list(null, null, 10))
        .extracting(Node::nodeId)
        .containsExactly("a", "b", "c", "d", "e");
    assertThat(nodes.list(Node.Type.WEBHOOK, null, 10))
        .extracting(Node::nodeId)
        .containsExactly("b", "d");
    assertThat(nodes.list(Node.Type.BUILTIN, null, 10))
        .extracting(Node::nodeId)
        .containsExactly("a", "c", "e");
    assertThat(nodes.list(null, null, 2)).extracting(Node::nodeId).containsExactly("a", "b");
    assertThat(nodes.list(null, "b", 2)).extracting(Node::nodeId).containsExactly("c", "d");
    assertThat(nodes.list(Node.Type.BUILTIN, "c", 10))
        .extracting(Node::nodeId)
        .containsExactly("e");
  }

  @Test
  void concurrentRegistersOfOneIdNeverFail() throws Exception {
    Nodes nodes = fs.nodes(newTenant());
    var out =
        Concurrently.race(8, i -> nodes.register(NodeDefinition.builtin("hot", "v" + i, null)));
    assertThat(out).allMatch(Concurrently.Outcome::ok);
    assertThat(nodes.list(null, null, 10)).hasSize(1);
  }

  @Test
  void anotherTenantSeesNothingAndHasItsOwnIds() {
    TenantId a = newTenant();
    fs.nodes(a).register(NodeDefinition.builtin("n", "of a", null));
    Nodes ofB = fs.nodes(newTenant());
    assertThat(ofB.get("n")).isEmpty();
    assertThat(ofB.list(null, null, 10)).isEmpty();
    ofB.register(NodeDefinition.builtin("n", "of b", null));
    assertThat(fs.nodes(a).get("n").orElseThrow().name()).isEqualTo("of a");
  }

  @Test
  void badInputIsRejectedAndNothingIsWritten() {
    Nodes nodes = fs.nodes(newTenant());
    assertCode(() -> nodes.register(null), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> nodes.register(NodeDefinition.builtin("bad id", "x", null)), ErrorCode.INVALID_ID);
    assertCode(
        () -> nodes.register(NodeDefinition.builtin("n", " ", null)), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> nodes.register(NodeDefinition.builtin("n", "x".repeat(201), null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> nodes.register(new NodeDefinition("n", null, "x", null, null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            nodes.register(
                new NodeDefinition(
                    "n", Node.Type.BUILTIN, "x", null, "https://a.example", null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> nodes.register(NodeDefinition.webhook("n", "x", null, null)),
        ErrorCode.INVALID_ARGUMENT);
    for (String bad :
        List.of(
            "ftp://a.example/x",
            "https:///nohost",
            "/relative",
            "not a url",
            "javascript:alert(1)")) {
      assertCode(
          () -> nodes.register(NodeDefinition.webhook("n", "x", bad, null)),
          ErrorCode.INVALID_ARGUMENT);
    }
    assertCode(
        () -> nodes.register(NodeDefinition.builtin("n", "x", JSON.objectNode().put("type", 42))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            nodes.register(
                NodeDefinition.builtin("n", "x", JSON.objectNode().put("required", "q"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () ->
            nodes.register(
                NodeDefinition.builtin("n", "x", JSON.objectNode().put("description", "\u0000"))),
        ErrorCode.INVALID_JSON);
    assertCode(
        () ->
            nodes.register(
                NodeDefinition.builtin(
                    "n",
                    "x",
                    JSON.objectNode()
                        .put("description", "x".repeat(fs.config().maxPayloadBytes())))),
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertCode(() -> nodes.list(null, null, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> nodes.list(null, "bad id", 10), ErrorCode.INVALID_ID);
    assertThat(nodes.list(null, null, 10)).isEmpty();
  }

  @Test
  void joinsACallersTransaction() {
    TenantId t = newTenant();
    assertThatThrownBy(
            () ->
                fs.inTransaction(
                    t,
                    tx -> {
                      tx.nodes().register(NodeDefinition.builtin("n", "x", null));
                      assertThat(tx.nodes().get("n")).isPresent();
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(fs.nodes(t).get("n")).isEmpty();
  }
}
