package dev.flowstore.server.internal.cli;

import dev.flowstore.FlowstoreConfig;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What commands get from outside: the environment (a map, so tests inject one), the clock, how
 * {@code serve} learns it must stop, and the terminal (for questions and colour).
 */
public record CliContext(
    Map<String, String> env, Clock clock, Supplier<ServeLifecycle> lifecycle, Terminal terminal) {
  public CliContext {
    env = Map.copyOf(env);
  }

  /** Without a terminal: nothing is asked, nothing is coloured. */
  public CliContext(Map<String, String> env, Clock clock, Supplier<ServeLifecycle> lifecycle) {
    this(env, clock, lifecycle, Terminal.NONE);
  }

  /**
   * The configuration from the environment, with {@code overrides} (command-line options) on top.
   */
  public FlowstoreConfig config(Map<String, String> overrides) {
    return ConfigLoader.load(env, overrides);
  }
}
