package dev.flowstore.archive;

import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes a tenant's events, in one pass over the tenant-wide feed, to one file per stream. Events
 * of many streams interleave in the feed, so writers stay open; at most {@link #MAX_OPEN_FILES} at
 * once, the least recently used one is closed and reopened for appending when its stream shows up
 * again.
 */
final class Exporter implements AutoCloseable {
  static final int MAX_OPEN_FILES = 64;

  private final EventStore events;
  private final Path dir;
  private final Consumer<Progress> progress;
  private final Set<String> started = new HashSet<>();
  private final LinkedHashMap<String, Writer> open =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Writer> eldest) {
          if (size() <= MAX_OPEN_FILES) return false;
          close(eldest.getValue());
          return true;
        }
      };

  Exporter(EventStore events, Path dir, Consumer<Progress> progress) {
    this.events = events;
    this.dir = dir;
    this.progress = progress;
  }

  Progress run() {
    prepareDirectory();
    long after = 0;
    long count = 0;
    while (true) {
      List<RecordedEvent> page = events.readAll(after, EventStore.MAX_PAGE, null);
      // why: a feed page may hold fewer than MAX_PAGE events while more follow, so only an empty
      // page ends it
      if (page.isEmpty()) break;
      for (RecordedEvent e : page) {
        write(e.stream(), ArchiveLine.of(e).toJson());
        count++;
      }
      after = page.get(page.size() - 1).position();
      progress.accept(new Progress(started.size(), count, 0, false));
    }
    close();
    Progress done = new Progress(started.size(), count, 0, true);
    progress.accept(done);
    return done;
  }

  private void prepareDirectory() {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        long existing = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).count();
        // why: a leftover file of a stream this tenant no longer has would be imported with the
        // rest
        if (existing > 0) {
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              dir
                  + " already holds "
                  + existing
                  + " .jsonl file(s): export into an empty directory");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
  }

  private void write(String stream, String line) {
    try {
      Writer w = open.get(stream);
      if (w == null) {
        Path file = dir.resolve(Ids.stream(stream) + ".jsonl");
        boolean first = started.add(stream);
        w =
            first
                ? Files.newBufferedWriter(
                    file,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)
                : Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        open.put(stream, w);
      }
      w.write(line);
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stream + ".jsonl in " + dir, e);
    }
  }

  @Override
  public void close() {
    open.values().forEach(Exporter::close);
    open.clear();
  }

  private static void close(Writer w) {
    try {
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close an archive file", e);
    }
  }
}
