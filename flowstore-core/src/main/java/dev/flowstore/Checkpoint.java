package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A checkpoint of a session (a "thread" in seed 001's words), as stored. Checkpoints are
 * append-only.
 *
 * @param sessionId the session (thread_id)
 * @param checkpointId unique within the session
 * @param parentCheckpointId the checkpoint this one follows, or null for a root
 * @param sequence increases with every checkpoint saved (across the tenant's sessions); newest =
 *     largest
 * @param data the checkpoint as a JSON object
 * @param bytes optional binary state (e.g. a serialized graph), or null; compare with {@code
 *     Arrays.equals}
 * @param metadata a JSON object (never null)
 * @param createdAt when it was saved
 */
public record Checkpoint(
    UUID sessionId,
    String checkpointId,
    String parentCheckpointId,
    long sequence,
    ObjectNode data,
    byte[] bytes,
    ObjectNode metadata,
    Instant createdAt) {

  private static final String TOKEN_VERSION = "v1";

  /**
   * An opaque token that names where to resume: this checkpoint of this session. It is the URL-safe
   * base64 (no padding) of {@code v1:<session_id>:<checkpoint_id>}; it carries no tenant and grants
   * nothing: {@link Checkpoints#resume(String)} resolves it only within the tenant of the store.
   */
  public String resumeToken() {
    String raw = TOKEN_VERSION + ":" + sessionId + ":" + checkpointId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Where a resume token points. */
  public record Position(UUID sessionId, String checkpointId) {
    /**
     * Decodes a token made by {@link Checkpoint#resumeToken()}.
     *
     * @throws FlowstoreException {@code INVALID_ARGUMENT} when it is not one
     */
    public static Position ofToken(String token) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        String[] parts = raw.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(TOKEN_VERSION) || parts[2].isEmpty())
          throw new IllegalArgumentException();
        return new Position(Ids.uuid("resume_token", parts[1]), parts[2]);
      } catch (IllegalArgumentException | NullPointerException | FlowstoreException e) {
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "resume_token: not a token made by flowstore");
      }
    }
  }
}
