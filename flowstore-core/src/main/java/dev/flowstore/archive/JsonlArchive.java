package dev.flowstore.archive;

import dev.flowstore.EventStore;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Exports one tenant's events to JSONL files and imports them back.
 *
 * <p>Export walks the tenant-wide feed from the start and writes {@code DIR/<stream>.jsonl}, one
 * line per event in version order (see {@link dev.flowstore.archive package docs} for the line
 * format). Import appends every {@code *.jsonl} file of a directory (in name order) with the
 * archived event ids, versions and times: importing into an empty store and exporting again gives
 * byte-identical files, and importing the same archive twice changes nothing the second time.
 *
 * <p>Errors: {@code INVALID_JSON} naming {@code file:line} for a bad line (checked before anything
 * is written); {@code INVALID_ARGUMENT} for a missing import directory or an export directory that
 * already holds {@code .jsonl} files; {@code VERSION_CONFLICT} or {@code EVENT_ID_CONFLICT} naming
 * the file when the store already holds different events at the archived versions.
 */
public final class JsonlArchive {
  private JsonlArchive() {}

  /**
   * Writes every event of {@code events}' tenant to {@code dir}, creating it if needed.
   *
   * @param progress called after each page of events and once at the end (with {@code done = true})
   * @return the final progress: files written and events exported
   */
  public static Progress exportTo(EventStore events, Path dir, Consumer<Progress> progress) {
    try (Exporter exporter = new Exporter(events, dir, progress)) {
      return exporter.run();
    }
  }

  /**
   * Appends the events of every {@code *.jsonl} file in {@code dir} to {@code events}' tenant.
   *
   * @param progress called after each appended chunk and once at the end (with {@code done = true})
   * @return the final progress: files and events processed, and how many events were already stored
   */
  public static Progress importFrom(EventStore events, Path dir, Consumer<Progress> progress) {
    return new Importer(events, dir, progress).run();
  }
}
