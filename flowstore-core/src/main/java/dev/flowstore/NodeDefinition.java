package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A node to register with {@link Nodes#register}.
 *
 * @param nodeId required, a name-like id
 * @param type required
 * @param name required, 1-200 chars
 * @param description up to 4000 chars, or null
 * @param endpoint required for a webhook: an absolute http or https URL with a host (up to 2000
 *     chars); must be null for a builtin
 * @param paramSchema a JSON object (a JSON Schema), or null for {}
 * @param status null for active
 */
public record NodeDefinition(
    String nodeId,
    Node.Type type,
    String name,
    String description,
    String endpoint,
    ObjectNode paramSchema,
    Node.Status status) {

  public static NodeDefinition builtin(String nodeId, String name, ObjectNode paramSchema) {
    return new NodeDefinition(
        nodeId, Node.Type.BUILTIN, name, null, null, paramSchema, Node.Status.ACTIVE);
  }

  public static NodeDefinition webhook(
      String nodeId, String name, String endpoint, ObjectNode paramSchema) {
    return new NodeDefinition(
        nodeId, Node.Type.WEBHOOK, name, null, endpoint, paramSchema, Node.Status.ACTIVE);
  }
}
