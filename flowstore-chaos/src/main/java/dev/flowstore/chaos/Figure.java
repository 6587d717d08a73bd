package dev.flowstore.chaos;

/**
 * One row of the chaos table.
 *
 * @param scenario e.g. "1 queue under crashes"
 * @param variant the backend or variant, e.g. "postgres", "sqlite", "redis (appendfsync always)"
 * @param size what ran, e.g. "100000 jobs, 4 workers"
 * @param faults the faults injected, e.g. "23 SIGKILL of the server, 3 PostgreSQL restarts"
 * @param result the checker's figures, e.g. "lost 0, unexpected 0, duplicates 12 (12 explained)"
 * @param ok whether every check held
 */
public record Figure(
    String scenario, String variant, String size, String faults, String result, boolean ok) {}
