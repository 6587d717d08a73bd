package dev.flowstore.spi;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import java.time.Clock;

/**
 * A storage backend, found with {@link java.util.ServiceLoader}. A backend is added by implementing
 * this and passing the contract suites in flowstore-testkit.
 */
public interface StorageProvider {
  /**
   * The value of {@code FLOWSTORE_STORE_BACKEND} that selects this backend (e.g. {@code sqlite}).
   */
  String name();

  /**
   * Opens (and, if configured, migrates) the backend.
   *
   * @param clock where every timestamp and every "now" of the store comes from (tests pass a
   *     settable one)
   */
  Flowstore open(FlowstoreConfig config, Clock clock);
}
