package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A version of a flow definition. Versions are immutable: registering a flow again adds a version.
 *
 * @param flowId the flow's id (same rules as a stream id)
 * @param version 1, 2, 3...
 * @param yamlContent the definition as YAML text, checked to parse on write
 * @param paramSchema a JSON Schema that session params must satisfy (an empty object accepts
 *     anything)
 */
public record Flow(
    String flowId,
    int version,
    String name,
    String description,
    String yamlContent,
    ObjectNode paramSchema,
    Instant createdAt) {}
