package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A node in the tenant's registry, as stored.
 *
 * @param nodeId unique per tenant
 * @param type builtin (runs inside the engine) or webhook (called over HTTP at {@code endpoint})
 * @param name a display name
 * @param description free text, or null
 * @param endpoint the webhook's http(s) URL; null for a builtin
 * @param paramSchema the JSON Schema of the node's parameters, as a JSON object ({} when none)
 * @param status active or disabled
 * @param createdAt when it was first registered
 * @param updatedAt when it was last registered
 */
public record Node(
    String nodeId,
    Type type,
    String name,
    String description,
    String endpoint,
    ObjectNode paramSchema,
    Status status,
    Instant createdAt,
    Instant updatedAt) {

  /** Stored (and served) in lower case: {@code builtin}, {@code webhook}. */
  public enum Type {
    BUILTIN,
    WEBHOOK
  }

  /** Stored (and served) in lower case: {@code active}, {@code disabled}. */
  public enum Status {
    ACTIVE,
    DISABLED
  }
}
