package dev.flowstore.spi;

import dev.flowstore.FlowstoreConfig;
import java.time.Clock;

/**
 * What the SQL store hands a {@link CacheProvider}.
 *
 * @param config the store's configuration
 * @param clock the store's clock
 */
public record CacheHost(FlowstoreConfig config, Clock clock) {}
