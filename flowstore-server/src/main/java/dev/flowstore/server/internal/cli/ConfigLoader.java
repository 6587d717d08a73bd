package dev.flowstore.server.internal.cli;

import dev.flowstore.FlowstoreConfig;
import java.util.Map;

/**
 * The CLI's configuration: the injected environment (tests supply one) plus command-line overrides.
 */
final class ConfigLoader {
  private ConfigLoader() {}

  static FlowstoreConfig load(Map<String, String> env, Map<String, String> overrides) {
    return FlowstoreConfig.fromEnvironment(env, overrides);
  }
}
