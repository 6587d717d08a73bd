package dev.flowstore;

import java.util.List;
import java.util.Optional;

/**
 * The tenant's node registry: the builtin and webhook nodes its flows may use.
 *
 * <p>An instance is bound to a tenant: get one from {@link Flowstore#nodes(TenantId)} (each call is
 * its own transaction) or from {@link Transaction#nodes()} (calls join the caller's transaction).
 */
public interface Nodes {
  /**
   * Registers a node, or replaces the definition registered under its id (an upsert; {@code
   * createdAt} is kept). Concurrent registers of one id never fail: the last one to commit wins.
   *
   * @throws FlowstoreException {@code INVALID_ID} for a bad node id; {@code INVALID_ARGUMENT} for a
   *     missing type or name, a webhook without an http(s) endpoint, a builtin with one, over-long
   *     text, a param schema that is not a valid JSON Schema (draft 2020-12 unless it names its
   *     {@code $schema}); {@code INVALID_JSON} for U+0000 in the schema; {@code PAYLOAD_TOO_LARGE}
   *     above the configured payload limit
   */
  Node register(NodeDefinition node);

  /** The node registered under this id, or empty (also for another tenant's). */
  Optional<Node> get(String nodeId);

  /**
   * A page of nodes in id order: those with id > {@code afterNodeId} (null: from the start), of one
   * type or all (null).
   *
   * @param limit 1..{@link EventStore#MAX_PAGE}
   */
  List<Node> list(Node.Type type, String afterNodeId, int limit);
}
