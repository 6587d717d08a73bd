package dev.flowstore.e2e;

import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a tool a test needs and a bare developer machine may lack (a browser, promtool):
 * under {@code CI=true} its absence fails the test, never skips it; elsewhere the test is skipped
 * with a message nobody can miss.
 */
final class MissingTool {
  private MissingTool() {}

  /** Fails under CI, else prints {@code message} loudly and skips the calling test. */
  static void failInCiElseSkip(String message) {
    if ("true".equals(System.getenv("CI")))
      throw new AssertionError(message + " (CI=true: a missing tool fails the build)");
    System.err.println("\n!!!!!!!!!!\n!!! " + message + "\n!!!!!!!!!!\n");
    Assumptions.abort(message);
  }
}
