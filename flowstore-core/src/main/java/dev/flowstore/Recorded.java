package dev.flowstore;

/**
 * The outcome of an idempotent write: the stored value, and whether it was already there.
 *
 * @param value what is stored now: the new record, or, when {@code duplicate}, the one stored
 *     before
 * @param duplicate true when an earlier write with the same key won and nothing new was written
 */
public record Recorded<T>(T value, boolean duplicate) {}
