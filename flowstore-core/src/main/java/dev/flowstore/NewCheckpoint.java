package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A checkpoint to save with {@link Checkpoints#save}.
 *
 * @param checkpointId a name-like id, or null for a new random UUID
 * @param parentCheckpointId an existing checkpoint of the same session, or null for a root
 * @param data required JSON object, at most the configured payload limit
 * @param bytes optional binary state, at most the configured payload limit
 * @param metadata a JSON object, or null for {}
 */
public record NewCheckpoint(
    String checkpointId,
    String parentCheckpointId,
    ObjectNode data,
    byte[] bytes,
    ObjectNode metadata) {
  /** A checkpoint with a generated id and no binary state. */
  public static NewCheckpoint of(String parentCheckpointId, ObjectNode data, ObjectNode metadata) {
    return new NewCheckpoint(null, parentCheckpointId, data, null, metadata);
  }
}
