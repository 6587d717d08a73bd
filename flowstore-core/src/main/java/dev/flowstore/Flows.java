package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/** Flow definitions of one tenant, versioned. */
public interface Flows {
  /**
   * Registers a flow: version 1 for a new id, else the next version.
   *
   * @param yamlContent must parse as YAML (a mapping)
   * @param paramSchema must be a valid JSON Schema (null for "anything")
   * @throws FlowstoreException INVALID_ID, INVALID_ARGUMENT (bad YAML or schema, with the reason)
   */
  Flow register(
      String flowId, String name, String description, String yamlContent, ObjectNode paramSchema);

  /** The latest version. */
  Optional<Flow> get(String flowId);

  /** One version. */
  Optional<Flow> get(String flowId, int version);

  /**
   * The latest version of each flow, ordered by id, after {@code afterFlowId} (null from the
   * start).
   */
  List<Flow> list(String afterFlowId, int limit);
}
