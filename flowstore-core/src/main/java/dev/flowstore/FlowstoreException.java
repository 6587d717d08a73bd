package dev.flowstore;

import java.util.Objects;

/**
 * The one exception flowstore throws for anything a caller may handle; {@link #code()} is stable.
 */
public class FlowstoreException extends RuntimeException {
  private final ErrorCode code;

  public FlowstoreException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code);
  }

  public FlowstoreException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code);
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return "FlowstoreException[" + code + "]: " + getMessage();
  }
}
