package dev.flowstore.spi;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import java.time.Clock;

/**
 * What the SQL store hands a {@link QueueProvider}.
 *
 * @param config the store's configuration
 * @param clock the store's clock: every "now" of the queue comes from it
 * @param store the SQL store itself (the truth; e.g. for the outbox)
 * @param deadLetters where DLQ items and their audit entries are written, in the SQL store
 */
public record QueueHost(
    FlowstoreConfig config, Clock clock, Flowstore store, DeadLetterStore deadLetters) {}
