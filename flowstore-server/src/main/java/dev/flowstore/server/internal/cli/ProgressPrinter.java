package dev.flowstore.server.internal.cli;

import dev.flowstore.archive.Progress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/** Prints archive progress to stderr, at most about once a second or every 10,000 events. */
final class ProgressPrinter implements Consumer<Progress> {
  static final Duration EVERY = Duration.ofSeconds(1);
  static final long EVENTS = 10_000;

  private final String what;
  private final PrintWriter err;
  private final Clock clock;
  private Instant last;
  private long lastEvents;

  ProgressPrinter(String what, PrintWriter err, Clock clock) {
    this.what = what;
    this.err = err;
    this.clock = clock;
    this.last = clock.instant();
  }

  @Override
  public void accept(Progress p) {
    if (p.done()) return; // the command prints its own summary
    Instant now = clock.instant();
    if (Duration.between(last, now).compareTo(EVERY) < 0 && p.events() - lastEvents < EVENTS)
      return;
    last = now;
    lastEvents = p.events();
    err.println(
        what
            + ": "
            + p.files()
            + " files, "
            + p.events()
            + " events"
            + (p.unchanged() > 0 ? " (" + p.unchanged() + " already stored)" : ""));
    err.flush();
  }
}
