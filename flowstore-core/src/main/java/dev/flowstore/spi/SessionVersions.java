package dev.flowstore.spi;

import java.util.OptionalLong;
import java.util.UUID;

/**
 * The SQL store's cheap probe of one tenant's sessions: the committed version of a session, one
 * indexed single-column lookup (no JSON columns). Every write of a session increases its version,
 * so an entry whose version equals this one is exactly the committed row.
 */
@FunctionalInterface
public interface SessionVersions {
  /** The session's committed version now; empty when it does not exist. */
  OptionalLong current(UUID sessionId);
}
