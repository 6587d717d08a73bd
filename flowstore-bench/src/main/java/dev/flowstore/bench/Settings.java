package dev.flowstore.bench;

import java.time.Duration;

/**
 * Sizes and durations of one benchmark run: {@link #quick()} (a few minutes on 2 cores), {@link
 * #full()} (under half an hour), or {@link #smoke()} (seconds, for the harness's own test).
 *
 * @param warmup each throughput measurement first runs this long without counting
 * @param window one measured window; the figure is the median of {@code windows} windows
 * @param windows measured windows per figure
 * @param readEvents events in the stream read by row 3
 * @param readPasses measured full reads in row 3 (after one warm-up pass)
 * @param queueJobs jobs burnt down in rows 4 and 5
 * @param httpJobs jobs enqueued for the HTTP lease/ack row
 * @param outboxMessages messages relayed in the outbox throughput row
 * @param outboxLatencyMessages messages timed in each outbox latency row
 * @param startupRuns child JVMs started per figure in row 9
 * @param growthEvents events in the grown store of row 8
 * @param growthJobs succeeded jobs in the grown queue of row 8
 * @param serverLoad how long row 9 drives HTTP load at each server (warm-up included)
 * @param copyEvents events in the SQLite store row 11 copies (with a tenth as many jobs and
 *     records, a twentieth as many sessions)
 */
record Settings(
    String name,
    Duration warmup,
    Duration window,
    int windows,
    int readEvents,
    int readPasses,
    int queueJobs,
    int httpJobs,
    int outboxMessages,
    int outboxLatencyMessages,
    int startupRuns,
    int growthEvents,
    int growthJobs,
    Duration serverLoad,
    int copyEvents) {

  static Settings quick() {
    return new Settings(
        "quick",
        Duration.ofMillis(1000),
        Duration.ofMillis(1000),
        3,
        200_000,
        3,
        20_000,
        4_000,
        1_000,
        300,
        3,
        1_000_000,
        100_000,
        Duration.ofSeconds(15),
        100_000);
  }

  static Settings full() {
    return new Settings(
        "full",
        Duration.ofSeconds(3),
        Duration.ofSeconds(3),
        5,
        1_000_000,
        3,
        100_000,
        20_000,
        5_000,
        1_000,
        5,
        10_000_000,
        1_000_000,
        Duration.ofSeconds(30),
        1_000_000);
  }

  static Settings smoke() {
    return new Settings(
        "smoke",
        Duration.ofMillis(200),
        Duration.ofMillis(200),
        2,
        2_000,
        1,
        500,
        500,
        200,
        20,
        1,
        20_000,
        2_000,
        Duration.ofSeconds(2),
        2_000);
  }

  /**
   * These settings with the throughput windows stretched so that warm-up plus windows last {@code
   * total} (the warm-up is kept; row 9 drives its HTTP load through {@link Measure#throughput}).
   */
  Settings lasting(Duration total) {
    Duration window = total.minus(warmup).dividedBy(windows);
    return new Settings(
        name,
        warmup,
        window,
        windows,
        readEvents,
        readPasses,
        queueJobs,
        httpJobs,
        outboxMessages,
        outboxLatencyMessages,
        startupRuns,
        growthEvents,
        growthJobs,
        serverLoad,
        copyEvents);
  }
}
