package dev.flowstore.archive;

/**
 * How far an export or import has got.
 *
 * @param files stream files written (export) or finished (import) so far
 * @param events events written (export) or processed (import) so far
 * @param unchanged of {@code events}, those an import found already stored (an idempotent
 *     re-import)
 * @param done true for the last report of a run
 */
public record Progress(int files, long events, long unchanged, boolean done) {}
