package dev.flowstore.server.internal.cli;

import dev.flowstore.spi.BackendSwitch.CopyProgress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Prints a copy's progress to stderr, at most about once a second: rows done of the total, rows/s
 * of this run, and the time left at that rate.
 */
final class CopyProgressPrinter implements Consumer<CopyProgress> {
  private final PrintWriter err;
  private final Clock clock;
  private final Instant start;
  private Instant last;
  private long firstDone = -1;

  CopyProgressPrinter(PrintWriter err, Clock clock) {
    this.err = err;
    this.clock = clock;
    this.start = clock.instant();
    this.last = start;
  }

  @Override
  public void accept(CopyProgress p) {
    Instant now = clock.instant();
    if (firstDone < 0) firstDone = p.rowsDone();
    boolean finished = p.rowsDone() >= p.rowsTotal();
    if (!finished && Duration.between(last, now).compareTo(ProgressPrinter.EVERY) < 0) return;
    last = now;
    err.println(line(p, Duration.between(start, now)));
    err.flush();
  }

  String line(CopyProgress p, Duration elapsed) {
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    long rate = Math.round((p.rowsDone() - firstDone) / seconds);
    long percent = p.rowsTotal() == 0 ? 100 : p.rowsDone() * 100 / p.rowsTotal();
    String left =
        rate <= 0 ? "?" : clockTime(Duration.ofSeconds((p.rowsTotal() - p.rowsDone()) / rate));
    return String.format(
        "copy: %d/%d rows (%d%%), %d rows/s, %s left [%s%s]",
        p.rowsDone(),
        p.rowsTotal(),
        percent,
        rate,
        left,
        p.table(),
        p.tenant().isEmpty() ? "" : ", tenant " + p.tenant());
  }

  private static String clockTime(Duration d) {
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
