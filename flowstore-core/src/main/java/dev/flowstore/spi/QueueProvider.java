package dev.flowstore.spi;

/**
 * A queue backend other than the SQL store's own queue, found with {@link java.util.ServiceLoader}
 * by the name in {@code FLOWSTORE_QUEUE_BACKEND} (e.g. {@code redis}). The SQL store opens it and
 * delegates {@code Flowstore.queue(tenant)} to it; the store stays the truth for DLQ items and the
 * audit log, which the backend writes through {@link QueueHost#deadLetters()}. A backend is added
 * by implementing this and passing the queue contract suites of flowstore-testkit.
 */
public interface QueueProvider {
  /** The value of {@code FLOWSTORE_QUEUE_BACKEND} that selects this backend. */
  String name();

  /**
   * Connects the backend.
   *
   * @throws dev.flowstore.FlowstoreException {@code CONFIGURATION} for bad settings, {@code
   *     BACKEND_UNAVAILABLE} when the backend cannot be reached
   */
  QueueBackend open(QueueHost host);
}
