package dev.flowstore.spi;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import java.util.Set;

/**
 * The settings a backend module owns (flowstore-jdbc: {@code POSTGRES_*}, flowstore-redis: {@code
 * REDIS_*}), found with {@link java.util.ServiceLoader}. {@link FlowstoreConfig} reads the keys of
 * every section it finds and has each section parse them when it is built, so a bad value fails at
 * once, wherever the key belongs; the module reads its settings back with {@link
 * FlowstoreConfig#section(Class)}.
 *
 * <p>Why sections and not components of {@code FlowstoreConfig}: a key added to a section changes
 * no constructor or accessor any caller of {@code FlowstoreConfig} uses, and core does not need to
 * know the settings of backends it does not ship.
 */
public interface ConfigSection {
  /**
   * The keys this section reads. They become known keys: read from the environment, accepted in
   * {@code flowstore.properties} (an unknown key there fails) and by {@link
   * FlowstoreConfig.Builder#set}.
   */
  Set<String> keys();

  /**
   * Parses and checks this section's keys; called once each time a configuration is built, whether
   * or not the module's backend is selected (a bad value is an error either way).
   *
   * @return the section's settings, an immutable value that {@link FlowstoreConfig#section(Class)}
   *     returns by its type
   * @throws FlowstoreException {@code CONFIGURATION} from {@link #invalid} for a bad or missing
   *     value
   */
  Object parse(FlowstoreConfig.Values values);

  /**
   * The error for a bad value of {@code key}: {@code CONFIGURATION} with a message that starts with
   * the key's name, which the CLI prints as its one line (and exits 2).
   */
  static FlowstoreException invalid(String key, String what) {
    return new FlowstoreException(ErrorCode.CONFIGURATION, key + ": " + what);
  }
}
