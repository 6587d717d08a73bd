package dev.flowstore;

import java.time.Instant;

/**
 * A tenant's outbox backlog now ({@link Outbox#stats()}).
 *
 * @param pending messages not published yet (the relay's backlog)
 * @param failed messages the relay gave up on (waiting for {@link Outbox#replay})
 * @param oldestPendingCreatedAt when the oldest pending message was added, or null when none is
 *     pending: how far behind the relay is
 */
public record OutboxStats(long pending, long failed, Instant oldestPendingCreatedAt) {}
